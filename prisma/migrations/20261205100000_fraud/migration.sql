-- Fraud scoring (issue 13; docs/decisions/0031-0034).

-- `score` keys may only call POST /api/transactions/score.
ALTER TABLE "api_keys" DROP CONSTRAINT "api_keys_scope_check";
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_scope_check" CHECK ("scope" IN ('ingest', 'read', 'score'));

-- Versioned rule sets: a save inserts the next version, nothing is updated in place, so every
-- decision can name the exact rules it used.
CREATE TABLE "fraud_rule_sets" (
    "version" INTEGER NOT NULL,
    "rules" JSONB NOT NULL,
    "note" TEXT NOT NULL DEFAULT '',
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "fraud_rule_sets_pkey" PRIMARY KEY ("version"),
    CONSTRAINT "fraud_rule_sets_version_check" CHECK ("version" >= 1)
);

-- One row per scored transaction: the decision (returned again for a repeated id) and the
-- feature state itself: velocity windows are read from these rows under per-entity advisory
-- locks (docs/decisions/0031). `event` is the transaction as ingested (with its decision attrs);
-- `published_at` stays null until JetStream has it (the outbox, docs/decisions/0033).
CREATE TABLE "fraud_decisions" (
    "id" TEXT NOT NULL,
    "ts" TIMESTAMPTZ(3) NOT NULL,
    "card_id" TEXT NOT NULL,
    "customer_id" TEXT NOT NULL,
    "device_id" TEXT,
    "country" TEXT,
    "merchant" TEXT NOT NULL,
    "amount" DOUBLE PRECISION NOT NULL,
    "decision" TEXT NOT NULL,
    "score" INTEGER NOT NULL,
    "reasons" JSONB NOT NULL,
    "hits" TEXT[] NOT NULL,
    "shadow_hits" TEXT[] NOT NULL,
    "features" JSONB NOT NULL,
    "rules_version" INTEGER NOT NULL,
    "decided_at" TIMESTAMPTZ(3) NOT NULL,
    "latency_ms" DOUBLE PRECISION NOT NULL,
    "event" JSONB NOT NULL,
    "published_at" TIMESTAMPTZ(3),
    CONSTRAINT "fraud_decisions_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "fraud_decisions_decision_check" CHECK ("decision" IN ('approved', 'flagged')),
    CONSTRAINT "fraud_decisions_score_check" CHECK ("score" BETWEEN 0 AND 100)
);
CREATE INDEX "fraud_decisions_card_ts_idx" ON "fraud_decisions"("card_id", "ts") INCLUDE ("amount", "country", "device_id");
CREATE INDEX "fraud_decisions_customer_ts_idx" ON "fraud_decisions"("customer_id", "ts") INCLUDE ("amount", "country");
CREATE INDEX "fraud_decisions_device_ts_idx" ON "fraud_decisions"("device_id", "ts") INCLUDE ("amount") WHERE "device_id" IS NOT NULL;
CREATE INDEX "fraud_decisions_customer_device_idx" ON "fraud_decisions"("customer_id", "device_id") WHERE "device_id" IS NOT NULL;
CREATE INDEX "fraud_decisions_decided_idx" ON "fraud_decisions"("decided_at");
CREATE INDEX "fraud_decisions_flagged_idx" ON "fraud_decisions"("decided_at" DESC) WHERE "decision" = 'flagged';
CREATE INDEX "fraud_decisions_unpublished_idx" ON "fraud_decisions"("decided_at") WHERE "published_at" IS NULL;

-- Per customer and UTC day: the amounts' mergeable state (count, sum, min, max, DDSketch, as in
-- metric_rollups) and their sum of squares, for the 90-day mean, deviation and p95.
CREATE TABLE "fraud_customer_days" (
    "customer_id" TEXT NOT NULL,
    "day" DATE NOT NULL,
    "count" BIGINT NOT NULL,
    "sum" DOUBLE PRECISION NOT NULL,
    "sum_squares" DOUBLE PRECISION NOT NULL,
    "min" DOUBLE PRECISION,
    "max" DOUBLE PRECISION,
    "quantiles" BYTEA,
    CONSTRAINT "fraud_customer_days_pkey" PRIMARY KEY ("customer_id", "day")
);

-- Analysts' verdicts on decisions; precision and recall are computed from these.
CREATE TABLE "fraud_labels" (
    "decision_id" TEXT NOT NULL,
    "label" TEXT NOT NULL,
    "note" TEXT NOT NULL DEFAULT '',
    "labeled_by" TEXT NOT NULL,
    "labeled_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "fraud_labels_pkey" PRIMARY KEY ("decision_id"),
    CONSTRAINT "fraud_labels_label_check" CHECK ("label" IN ('fraud', 'legitimate')),
    CONSTRAINT "fraud_labels_decision_fkey" FOREIGN KEY ("decision_id") REFERENCES "fraud_decisions"("id") ON DELETE CASCADE
);

-- Decisions as metrics (the live board and alert rules use them): every scored transaction is
-- ingested with fraud_decision / fraud_score / fraud_latency_ms attrs.
INSERT INTO "metric_definitions" ("name", "description", "event_type", "aggregation", "field", "filter", "group_by", "unit") VALUES
  ('transactions_by_decision', 'Scored transactions by fraud decision', 'transaction', 'count', 'value', '[{"attr":"fraud_decision","op":"exists"}]', 'fraud_decision', ''),
  ('transactions_scored', 'Scored transactions (the flag rate''s denominator)', 'transaction', 'count', 'value', '[{"attr":"fraud_decision","op":"exists"}]', NULL, ''),
  ('transactions_flagged', 'Transactions flagged by fraud scoring', 'transaction', 'count', 'value', '[{"attr":"fraud_decision","op":"eq","value":"flagged"}]', NULL, ''),
  ('fraud_decision_latency', 'Fraud decision latency (p99; all percentiles kept)', 'transaction', 'p99', 'fraud_latency_ms', '[{"attr":"fraud_decision","op":"exists"}]', NULL, 'ms')
ON CONFLICT ("name") DO NOTHING;
