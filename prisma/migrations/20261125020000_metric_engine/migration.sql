-- AlterTable
ALTER TABLE "raw_events" ADD COLUMN "too_late" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "metric_rollups" ADD COLUMN "quantiles" BYTEA,
ADD COLUMN "distinct_sketch" BYTEA,
ADD COLUMN "revisions" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "consumer_checkpoints" ADD COLUMN "max_event_time" TIMESTAMPTZ(3),
ADD COLUMN "too_late_total" BIGINT NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "metric_definitions" (
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "event_type" TEXT NOT NULL,
    "aggregation" TEXT NOT NULL,
    "field" TEXT NOT NULL DEFAULT 'value',
    "filter" JSONB NOT NULL DEFAULT '[]',
    "group_by" TEXT,
    "unit" TEXT NOT NULL DEFAULT '',
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "metric_definitions_pkey" PRIMARY KEY ("name")
);

-- CreateTable
CREATE TABLE "customers" (
    "id" TEXT NOT NULL,
    "segment" TEXT NOT NULL,
    "home_country" TEXT,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "customers_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "merchants" (
    "id" TEXT NOT NULL,
    "category" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "merchants_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "raw_events_too_late_ts_idx" ON "raw_events"("ts") WHERE "too_late";

-- Seed the default metric definitions (admins edit them; names are stable API).
INSERT INTO "metric_definitions" ("name", "description", "event_type", "aggregation", "field", "filter", "group_by", "unit") VALUES
  ('page_views', 'Page views by path', 'page_view', 'count', 'value', '[]', 'path', ''),
  ('page_views_by_country', 'Page views by visitor country', 'page_view', 'count', 'value', '[]', 'country', ''),
  ('active_users', 'Distinct users viewing pages', 'page_view', 'distinct', 'user_id', '[]', NULL, 'users'),
  ('api_requests', 'API requests by route', 'api_request', 'count', 'value', '[]', 'route', ''),
  ('api_latency', 'API latency by route (p95; all percentiles kept)', 'api_request', 'p95', 'value', '[]', 'route', 'ms'),
  ('api_errors', 'API responses with status >= 500, by route', 'api_request', 'count', 'value', '[{"attr":"status","op":"gte","value":500}]', 'route', ''),
  ('transactions', 'Transactions by merchant category', 'transaction', 'count', 'value', '[]', 'merchant_category', ''),
  ('transaction_amount', 'Transaction amount by currency', 'transaction', 'sum', 'value', '[]', 'currency', ''),
  ('transaction_amount_by_segment', 'Transaction amount by customer segment', 'transaction', 'sum', 'value', '[]', 'customer_segment', ''),
  ('signups', 'Sign-ups by plan', 'signup', 'count', 'value', '[]', 'plan', ''),
  ('errors', 'Client errors by route', 'error', 'count', 'value', '[]', 'route', '')
ON CONFLICT ("name") DO NOTHING;
