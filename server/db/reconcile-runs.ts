import type pg from "pg";
import { summarizeDrift, type RowDrift } from "../core/reconcile";

/** Bookkeeping of reconciliation: runs, drift per metric, latest run per hour, and what is due. */

/** Records one run (inside the reconciliation's transaction); returns its id. */
export async function recordRun(
  client: pg.ClientBase,
  run: { hour: Date; jobId: string | null; now: Date; events: number; tooLate: number; compared: number },
  drift: readonly RowDrift[],
): Promise<number> {
  const inserted = await client.query<{ id: number }>(
    `INSERT INTO reconciliation_runs (hour, job_id, ran_at, events, too_late_events, rows_compared, rows_drifted)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
    [run.hour, run.jobId, run.now, run.events, run.tooLate, run.compared, drift.length],
  );
  const runId = inserted.rows[0]?.id;
  if (runId === undefined) throw new Error("reconciliation run insert returned no id");
  for (const m of summarizeDrift(drift)) {
    await client.query(
      `INSERT INTO reconciliation_drift (run_id, metric, hour, buckets_drifted, streamed_count, batch_count,
         streamed_sum, batch_sum, examples) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        runId,
        m.metric,
        run.hour,
        m.bucketsDrifted,
        m.streamedCount,
        m.batchCount,
        m.streamedSum,
        m.batchSum,
        JSON.stringify(m.examples),
      ],
    );
  }
  await client.query(
    `INSERT INTO reconciled_hours (hour, reconciled_at, too_late_seen, run_id) VALUES ($1, $2, $3, $4)
     ON CONFLICT (hour) DO UPDATE SET reconciled_at = excluded.reconciled_at,
       too_late_seen = excluded.too_late_seen, run_id = excluded.run_id`,
    [run.hour, run.now, run.tooLate, runId],
  );
  return runId;
}

// Hours are UTC hours whatever the session's TimeZone: date_trunc names its zone, and an
// interval of hours added to a timestamptz is absolute (only days and months follow a zone).
const DUE_HOURS = `
WITH closed AS (
  SELECT h FROM generate_series($1::timestamptz, $2::timestamptz, interval '1 hour') AS h
  WHERE NOT EXISTS (SELECT 1 FROM reconciled_hours r WHERE r.hour = h)
    AND EXISTS (SELECT 1 FROM raw_events e WHERE e.ts >= h AND e.ts < h + interval '1 hour')),
late AS (
  SELECT t.hour AS h FROM too_late_hours t WHERE t.stored > t.folded AND t.hour >= $1 AND t.hour <= $2)
SELECT (extract(epoch FROM h) * 1000)::float8 AS hour FROM (
  SELECT h FROM closed
  UNION
  SELECT h FROM late
) due ORDER BY h LIMIT $3`;

/**
 * Closed hours in [from, lastHour] that are due: never reconciled (and holding raw events), or
 * holding more too-late events than their last reconciliation folded in (too_late_hours, an
 * index lookup instead of a scan of the window's raw events).
 */
export async function hoursDueForReconciliation(
  pool: pg.Pool,
  from: number,
  lastHour: number,
  limit: number,
): Promise<number[]> {
  if (lastHour < from) return [];
  const result = await pool.query<{ hour: number }>(DUE_HOURS, [new Date(from), new Date(lastHour), limit]);
  return result.rows.map((r) => r.hour);
}
