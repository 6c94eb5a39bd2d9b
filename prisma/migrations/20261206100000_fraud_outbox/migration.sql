-- The fraud outbox moves to a table of its own (docs/decisions/0033, 0035): marking a decision
-- published used to UPDATE its wide fraud_decisions row, a non-HOT update (the partial index
-- on published_at) that wrote a new row version and an entry in each of the table's indexes.
-- Now a decision's outbox row is inserted with it and deleted once JetStream has the event.
CREATE TABLE "fraud_outbox" (
    "id" TEXT NOT NULL,
    "decided_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "fraud_outbox_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "fraud_outbox_decision_fkey" FOREIGN KEY ("id") REFERENCES "fraud_decisions"("id") ON DELETE CASCADE
);
CREATE INDEX "fraud_outbox_decided_idx" ON "fraud_outbox"("decided_at");

INSERT INTO "fraud_outbox" ("id", "decided_at")
SELECT "id", "decided_at" FROM "fraud_decisions" WHERE "published_at" IS NULL;

DROP INDEX "fraud_decisions_unpublished_idx";
ALTER TABLE "fraud_decisions" DROP COLUMN "published_at";
