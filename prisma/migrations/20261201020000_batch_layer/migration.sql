-- Batch layer (issue 6): run history of the scheduler's jobs and reconciliation results.
-- pg-boss keeps its own queue tables in a schema of its own (<namespace>_boss, created by
-- pg-boss at start-up); these tables are ours and outlive pg-boss's archive.

-- One attempt of one job (a retried job has several rows with the same job_id).
CREATE TABLE "job_runs" (
    "id" BIGSERIAL NOT NULL,
    "job_id" TEXT NOT NULL,
    "queue" TEXT NOT NULL,
    "subject" TEXT NOT NULL DEFAULT '',
    "attempt" INTEGER NOT NULL DEFAULT 1,
    "status" TEXT NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "finished_at" TIMESTAMPTZ(3),
    "error" TEXT,
    "result" JSONB,
    CONSTRAINT "job_runs_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "job_runs_status_check" CHECK ("status" IN ('running', 'completed', 'failed'))
);
CREATE INDEX "job_runs_started_at_idx" ON "job_runs" ("started_at");
CREATE INDEX "job_runs_queue_started_at_idx" ON "job_runs" ("queue", "started_at");

-- One reconciliation of one closed hour: the batch oracle over raw_events vs the streamed 1m rows.
CREATE TABLE "reconciliation_runs" (
    "id" BIGSERIAL NOT NULL,
    "hour" TIMESTAMPTZ(3) NOT NULL,
    "job_id" TEXT,
    "ran_at" TIMESTAMPTZ(3) NOT NULL,
    "events" INTEGER NOT NULL,
    "too_late_events" INTEGER NOT NULL,
    "rows_compared" INTEGER NOT NULL,
    "rows_drifted" INTEGER NOT NULL,
    CONSTRAINT "reconciliation_runs_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "reconciliation_runs_hour_idx" ON "reconciliation_runs" ("hour");
CREATE INDEX "reconciliation_runs_ran_at_idx" ON "reconciliation_runs" ("ran_at");

-- Drift found by a run, per metric: what the stream had and what the raw events say.
CREATE TABLE "reconciliation_drift" (
    "run_id" BIGINT NOT NULL,
    "metric" TEXT NOT NULL,
    "hour" TIMESTAMPTZ(3) NOT NULL,
    "buckets_drifted" INTEGER NOT NULL,
    "streamed_count" BIGINT NOT NULL,
    "batch_count" BIGINT NOT NULL,
    "streamed_sum" DOUBLE PRECISION NOT NULL,
    "batch_sum" DOUBLE PRECISION NOT NULL,
    "examples" JSONB NOT NULL DEFAULT '[]',
    CONSTRAINT "reconciliation_drift_pkey" PRIMARY KEY ("run_id", "metric"),
    CONSTRAINT "reconciliation_drift_run_fkey" FOREIGN KEY ("run_id") REFERENCES "reconciliation_runs" ("id") ON DELETE CASCADE
);
CREATE INDEX "reconciliation_drift_hour_idx" ON "reconciliation_drift" ("hour");

-- Latest reconciliation of each hour, and how many too-late raw events it folded in: an hour
-- whose too-late count has grown since is due again.
CREATE TABLE "reconciled_hours" (
    "hour" TIMESTAMPTZ(3) NOT NULL,
    "reconciled_at" TIMESTAMPTZ(3) NOT NULL,
    "too_late_seen" INTEGER NOT NULL,
    "run_id" BIGINT NOT NULL,
    CONSTRAINT "reconciled_hours_pkey" PRIMARY KEY ("hour")
);
