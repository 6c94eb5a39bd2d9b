import type pg from "pg";
import type { RetentionCutoffs } from "../core/retention";
import { retireRawEvents } from "./raw-retention";

export interface RetentionResult {
  rawEvents: number;
  /** Ids of deleted raw events kept (as hashes) so a re-sent one stays a duplicate. */
  retiredIds: number;
  /** Raw deletion waited for a transaction that stayed open; a later run deletes them. */
  rawDeferred: boolean;
  minuteRows: number;
  hourRows: number;
  dayRows: number;
  periods: number;
  jobRuns: number;
  reconciliationRuns: number;
  /** Fraud decisions deleted (their labels and outbox rows with them). */
  fraudDecisions: number;
  fraudCustomerDays: number;
}

// A finer row goes only once the coarser period it feeds is compacted: retention never loses
// a number that is not held by the next tier. Periods are UTC hours and days whatever the
// session's TimeZone (date_trunc with an explicit zone).
const DELETE_MINUTES = `
DELETE FROM metric_rollups r WHERE r.resolution = '1m' AND r.bucket_start < $1
  AND EXISTS (SELECT 1 FROM rollup_periods p WHERE p.resolution = '1h' AND p.status = 'compacted'
              AND p.period_start = date_trunc('hour', r.bucket_start, 'UTC'))`;

const DELETE_HOURS = `
DELETE FROM metric_rollups r WHERE r.resolution = '1h' AND r.bucket_start < $1
  AND EXISTS (SELECT 1 FROM rollup_periods p WHERE p.resolution = '1d' AND p.status = 'compacted'
              AND p.period_start = date_trunc('day', r.bucket_start, 'UTC'))`;

const DELETE_DAYS = `DELETE FROM metric_rollups WHERE resolution = '1d' AND bucket_start < $1`;

// Period rows of a tier whose rows are gone (the same conditions as for the rows).
const DELETE_PERIODS = `
DELETE FROM rollup_periods p WHERE (p.resolution = '1h' AND p.period_start < $1
    AND EXISTS (SELECT 1 FROM rollup_periods d WHERE d.resolution = '1d' AND d.status = 'compacted'
                AND d.period_start = date_trunc('day', p.period_start, 'UTC')))
  OR (p.resolution = '1d' AND p.period_start < $2)`;

// Oldest decisions first, a slice per statement: no long transaction and no lock held on the
// whole table while the scoring keeps inserting.
const DELETE_FRAUD_SLICE = `
WITH gone AS (SELECT id FROM fraud_decisions WHERE decided_at < $1 ORDER BY decided_at LIMIT $2)
DELETE FROM fraud_decisions d USING gone WHERE d.id = gone.id`;

/** Deletes what each tier's retention allows (see core/retention.ts for the cutoffs). */
export async function applyRetention(
  pool: pg.Pool,
  cutoffs: RetentionCutoffs,
  /** Rows per delete statement, for raw events and fraud decisions. */
  slice = 10_000,
): Promise<RetentionResult> {
  // Raw events go in slices (index on ts), their ids retired first (raw-retention.ts).
  const raw = await retireRawEvents(pool, cutoffs.raw, slice);
  const count = async (sql: string, params: unknown[]) => (await pool.query(sql, params)).rowCount ?? 0;
  const minuteRows = await count(DELETE_MINUTES, [cutoffs.minute]);
  const hourRows = await count(DELETE_HOURS, [cutoffs.hour]);
  const dayRows = await count(DELETE_DAYS, [cutoffs.day]);
  const periods = await count(DELETE_PERIODS, [cutoffs.hour, cutoffs.day]);
  const jobRuns = await count(`DELETE FROM job_runs WHERE started_at < $1`, [cutoffs.history]);
  await count(`DELETE FROM reconciled_hours WHERE hour < $1`, [cutoffs.raw]);
  const reconciliationRuns = await count(`DELETE FROM reconciliation_runs WHERE ran_at < $1`, [
    cutoffs.history,
  ]);
  let fraudDecisions = 0;
  for (;;) {
    const deleted = await count(DELETE_FRAUD_SLICE, [cutoffs.fraud, slice]);
    fraudDecisions += deleted;
    if (deleted < slice) break;
  }
  // A UTC date as text: the comparison does not depend on the session's TimeZone.
  const fraudCustomerDays = await count(`DELETE FROM fraud_customer_days WHERE day < $1::date`, [
    cutoffs.fraud.toISOString().slice(0, 10),
  ]);
  return {
    fraudDecisions,
    fraudCustomerDays,
    rawEvents: raw.deleted,
    retiredIds: raw.retired,
    rawDeferred: raw.deferred,
    minuteRows,
    hourRows,
    dayRows,
    periods,
    jobRuns,
    reconciliationRuns,
  };
}
