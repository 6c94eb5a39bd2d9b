import type pg from "pg";
import type { DriftView, JobRunView, JobsQuery, QueueStateView, ReconciliationView } from "../contract";

/** Read side of the run history for `GET /api/jobs`; rows parsed into the contract's shapes here. */

const RUNS = `
SELECT id, job_id, queue, subject, attempt, status, started_at, finished_at, error
FROM job_runs WHERE ($2::text IS NULL OR queue = $2) AND ($3::text IS NULL OR status = $3)
ORDER BY started_at DESC, id DESC LIMIT $1`;

const RECONCILIATIONS = `
SELECT h.hour, r.ran_at, r.events, r.too_late_events, r.rows_compared, r.rows_drifted
FROM reconciled_hours h JOIN reconciliation_runs r ON r.id = h.run_id
ORDER BY h.hour DESC LIMIT $1`;

const DRIFT = `
SELECT d.hour, d.metric, r.ran_at, d.buckets_drifted, d.streamed_count, d.batch_count
FROM reconciliation_drift d JOIN reconciliation_runs r ON r.id = d.run_id
ORDER BY r.ran_at DESC, d.metric LIMIT $1`;

interface RunRow {
  id: number;
  job_id: string;
  queue: string;
  subject: string;
  attempt: number;
  status: JobRunView["status"];
  started_at: Date;
  finished_at: Date | null;
  error: string | null;
}

export async function listJobRuns(pool: pg.Pool, query: JobsQuery): Promise<JobRunView[]> {
  const result = await pool.query<RunRow>(RUNS, [query.limit, query.queue ?? null, query.status ?? null]);
  return result.rows.map((r) => ({
    id: r.id,
    jobId: r.job_id,
    queue: r.queue,
    subject: r.subject,
    attempt: r.attempt,
    retries: r.attempt - 1,
    status: r.status,
    startedAt: r.started_at.toISOString(),
    finishedAt: r.finished_at?.toISOString() ?? null,
    durationMs: r.finished_at ? r.finished_at.getTime() - r.started_at.getTime() : null,
    error: r.error,
  }));
}

export async function listReconciliations(pool: pg.Pool, limit: number): Promise<ReconciliationView[]> {
  const result = await pool.query<{
    hour: Date;
    ran_at: Date;
    events: number;
    too_late_events: number;
    rows_compared: number;
    rows_drifted: number;
  }>(RECONCILIATIONS, [limit]);
  return result.rows.map((r) => ({
    hour: r.hour.toISOString(),
    ranAt: r.ran_at.toISOString(),
    events: r.events,
    tooLateEvents: r.too_late_events,
    rowsCompared: r.rows_compared,
    rowsDrifted: r.rows_drifted,
  }));
}

export async function listDrift(pool: pg.Pool, limit: number): Promise<DriftView[]> {
  const result = await pool.query<{
    hour: Date;
    metric: string;
    ran_at: Date;
    buckets_drifted: number;
    streamed_count: number;
    batch_count: number;
  }>(DRIFT, [limit]);
  return result.rows.map((r) => ({
    hour: r.hour.toISOString(),
    metric: r.metric,
    ranAt: r.ran_at.toISOString(),
    bucketsDrifted: r.buckets_drifted,
    streamedCount: r.streamed_count,
    batchCount: r.batch_count,
  }));
}

const STATES = ["created", "retry", "active", "completed", "failed"] as const;

/**
 * Jobs per queue and state from pg-boss's table in `schema` (an identifier derived from the
 * validated namespace). Empty when the scheduler has never started (no schema yet).
 */
export async function queueStates(pool: pg.Pool, schema: string): Promise<QueueStateView[]> {
  if (!/^[a-z][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`invalid pg-boss schema name ${schema}`);
  const exists = await pool.query(`SELECT 1 FROM pg_namespace WHERE nspname = $1`, [schema]);
  if (exists.rowCount === 0) return [];
  const result = await pool.query<{ name: string; state: string; n: number }>(
    `SELECT name, state::text AS state, count(*)::int AS n FROM "${schema}".job GROUP BY 1, 2 ORDER BY 1`,
  );
  const byQueue = new Map<string, QueueStateView>();
  for (const row of result.rows) {
    const view = byQueue.get(row.name) ?? {
      queue: row.name,
      created: 0,
      retry: 0,
      active: 0,
      completed: 0,
      failed: 0,
    };
    if ((STATES as readonly string[]).includes(row.state)) view[row.state as (typeof STATES)[number]] = row.n;
    byQueue.set(row.name, view);
  }
  return [...byQueue.values()];
}
