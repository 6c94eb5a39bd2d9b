-- Alerting (issue 12; docs/decisions/0027–0030). Rules are versioned: every edit bumps
-- alert_rules.version and keeps the spec in alert_rule_versions. An instance (rule × group) is
-- written only with a compare-and-set on its seq, so two evaluators can never both record a
-- transition; every transition is one alert_events row and, per channel, one alert_deliveries
-- row (the outbox the scheduler sends from), all in the evaluator's one transaction.
CREATE TABLE "alert_rules" (
    "id" TEXT NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "name" TEXT NOT NULL,
    "spec" JSONB NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "alert_rules_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "alert_rules_name_key" ON "alert_rules"("name");

CREATE TABLE "alert_rule_versions" (
    "rule_id" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "spec" JSONB NOT NULL,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "alert_rule_versions_pkey" PRIMARY KEY ("rule_id", "version"),
    CONSTRAINT "alert_rule_versions_rule_id_fkey" FOREIGN KEY ("rule_id") REFERENCES "alert_rules"("id") ON DELETE CASCADE ON UPDATE CASCADE
);

CREATE TABLE "alert_instances" (
    "rule_id" TEXT NOT NULL,
    "group_key" TEXT NOT NULL DEFAULT '',
    "seq" INTEGER NOT NULL DEFAULT 0,
    "state" TEXT NOT NULL,
    "since" TIMESTAMPTZ(3) NOT NULL,
    "value" DOUBLE PRECISION,
    "memory" JSONB NOT NULL,
    "rule_version" INTEGER NOT NULL,
    "acknowledged_by" TEXT,
    "acknowledged_note" TEXT,
    "acknowledged_at" TIMESTAMPTZ(3),
    "last_notified_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "alert_instances_pkey" PRIMARY KEY ("rule_id", "group_key"),
    CONSTRAINT "alert_instances_rule_id_fkey" FOREIGN KEY ("rule_id") REFERENCES "alert_rules"("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "alert_instances_state_check" CHECK ("state" IN ('normal','pending','firing','recovering','no_data','insufficient_data','error'))
);
CREATE INDEX "alert_instances_state_idx" ON "alert_instances"("state");

CREATE TABLE "alert_events" (
    "id" TEXT NOT NULL,
    "rule_id" TEXT NOT NULL,
    "group_key" TEXT NOT NULL DEFAULT '',
    "seq" INTEGER NOT NULL,
    "rule_version" INTEGER NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "from_state" TEXT NOT NULL,
    "to_state" TEXT NOT NULL,
    "value" DOUBLE PRECISION,
    "threshold" DOUBLE PRECISION,
    "buckets" JSONB NOT NULL DEFAULT '[]',
    "reason" TEXT,
    "kind" TEXT NOT NULL DEFAULT 'transition',
    "silenced" BOOLEAN NOT NULL DEFAULT false,
    CONSTRAINT "alert_events_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "alert_events_rule_id_fkey" FOREIGN KEY ("rule_id") REFERENCES "alert_rules"("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "alert_events_kind_check" CHECK ("kind" IN ('transition','repeat','acknowledge'))
);
-- One transition or repeat per instance version; acknowledgements (any number) share the seq.
CREATE UNIQUE INDEX "alert_events_rule_id_group_key_seq_key" ON "alert_events"("rule_id", "group_key", "seq") WHERE "kind" <> 'acknowledge';
CREATE INDEX "alert_events_at_idx" ON "alert_events"("at");
CREATE INDEX "alert_events_rule_id_at_idx" ON "alert_events"("rule_id", "at");

CREATE TABLE "alert_channels" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    -- AES-256-GCM under a key derived from the auth secret: HMAC signing needs the secret back.
    "secret_sealed" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "alert_channels_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "alert_channels_name_key" ON "alert_channels"("name");

CREATE TABLE "alert_deliveries" (
    "id" TEXT NOT NULL,
    "channel_id" TEXT NOT NULL,
    "event_id" TEXT,
    "payload" JSONB NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_status_code" INTEGER,
    "last_error" TEXT,
    "response_excerpt" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "delivered_at" TIMESTAMPTZ(3),
    CONSTRAINT "alert_deliveries_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "alert_deliveries_channel_id_fkey" FOREIGN KEY ("channel_id") REFERENCES "alert_channels"("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "alert_deliveries_event_id_fkey" FOREIGN KEY ("event_id") REFERENCES "alert_events"("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "alert_deliveries_status_check" CHECK ("status" IN ('pending','queued','retrying','succeeded','failed'))
);
CREATE UNIQUE INDEX "alert_deliveries_event_id_channel_id_key" ON "alert_deliveries"("event_id", "channel_id");
CREATE INDEX "alert_deliveries_status_idx" ON "alert_deliveries"("status");
CREATE INDEX "alert_deliveries_channel_id_created_at_idx" ON "alert_deliveries"("channel_id", "created_at");

CREATE TABLE "alert_silences" (
    "id" TEXT NOT NULL,
    "spec" JSONB NOT NULL,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "alert_silences_pkey" PRIMARY KEY ("id")
);
