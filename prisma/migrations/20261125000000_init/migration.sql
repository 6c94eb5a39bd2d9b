-- CreateTable
CREATE TABLE "raw_events" (
    "id" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "ts" TIMESTAMPTZ(3) NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "v" INTEGER NOT NULL DEFAULT 1,
    "source" TEXT,
    "value" DOUBLE PRECISION,
    "attrs" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "raw_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "metric_rollups" (
    "metric" TEXT NOT NULL,
    "resolution" TEXT NOT NULL,
    "bucket_start" TIMESTAMPTZ(3) NOT NULL,
    "group_key" TEXT NOT NULL DEFAULT '',
    "count" BIGINT NOT NULL DEFAULT 0,
    "sum" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "min" DOUBLE PRECISION,
    "max" DOUBLE PRECISION,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "metric_rollups_pkey" PRIMARY KEY ("metric","resolution","bucket_start","group_key")
);

-- CreateTable
CREATE TABLE "dead_letters" (
    "id" BIGSERIAL NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "source" TEXT NOT NULL,
    "dedup_key" TEXT,
    "subject" TEXT,
    "event_id" TEXT,
    "reasons" JSONB NOT NULL,
    "payload" TEXT NOT NULL,
    "redriven_at" TIMESTAMPTZ(3),

    CONSTRAINT "dead_letters_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "consumer_checkpoints" (
    "consumer" TEXT NOT NULL,
    "batch_seq" BIGINT NOT NULL DEFAULT 0,
    "stream_seq" BIGINT NOT NULL DEFAULT 0,
    "events_total" BIGINT NOT NULL DEFAULT 0,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "consumer_checkpoints_pkey" PRIMARY KEY ("consumer")
);

-- CreateIndex
CREATE INDEX "raw_events_ts_idx" ON "raw_events"("ts");

-- CreateIndex
CREATE INDEX "raw_events_type_ts_idx" ON "raw_events"("type", "ts");

-- CreateIndex
CREATE INDEX "metric_rollups_resolution_bucket_start_idx" ON "metric_rollups"("resolution", "bucket_start");

-- CreateIndex
CREATE UNIQUE INDEX "dead_letters_dedup_key_key" ON "dead_letters"("dedup_key");

-- CreateIndex
CREATE INDEX "dead_letters_received_at_idx" ON "dead_letters"("received_at");
