import type pg from "pg";

/**
 * Retention of raw events without giving up exactly-once (DESIGN.md: a duplicate id never
 * counts twice, at any distance in time). Before a raw row goes, a 128-bit hash of its id
 * (md5 as uuid: 16 bytes) goes into `retired_event_ids`, which the processor's raw insert also
 * checks; a re-sent old id is then a duplicate, not a new event.
 *
 * Order matters: (1) retire the ids and commit; (2) wait until every transaction of this
 * database that was open at that moment has ended: a raw insert whose snapshot is older than
 * the retirement did not see it, and must still meet the raw row it would conflict with;
 * (3) delete only raw rows whose id is retired.
 */

const RETIRE_SLICE = `
INSERT INTO retired_event_ids (id_hash)
SELECT md5(e.id)::uuid FROM raw_events e
WHERE e.ts < $1 AND NOT EXISTS (SELECT 1 FROM retired_event_ids r WHERE r.id_hash = md5(e.id)::uuid)
LIMIT $2
ON CONFLICT DO NOTHING`;

// Transactions that began before $1 (xact_start): those whose first statement is the raw
// insert may not hold a transaction id yet, so pg_snapshot_xip would miss them.
const OPEN_BEFORE = `
SELECT count(*)::int AS n FROM pg_stat_activity
WHERE datname = current_database() AND pid <> pg_backend_pid() AND xact_start < $1`;

const DELETE_RETIRED_SLICE = `
DELETE FROM raw_events WHERE ctid = ANY(ARRAY(
  SELECT e.ctid FROM raw_events e
  WHERE e.ts < $1 AND EXISTS (SELECT 1 FROM retired_event_ids r WHERE r.id_hash = md5(e.id)::uuid)
  LIMIT $2))`;

export interface RawRetention {
  /** Raw events deleted. */
  deleted: number;
  /** Ids retired by this run. */
  retired: number;
  /** True when an old transaction stayed open: rows are retired, deleted by a later run. */
  deferred: boolean;
}

async function openBefore(pool: pg.Pool, since: Date, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await pool.query<{ n: number }>(OPEN_BEFORE, [since]);
    if ((rows[0]?.n ?? 0) === 0) return false;
    if (Date.now() > deadline) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Retires, waits, deletes: raw events older than `cutoff`, in slices of `slice` rows. */
export async function retireRawEvents(
  pool: pg.Pool,
  cutoff: Date,
  slice = 10_000,
  waitTimeoutMs = 30_000,
): Promise<RawRetention> {
  let retired = 0;
  for (;;) {
    const n = (await pool.query(RETIRE_SLICE, [cutoff, slice])).rowCount ?? 0;
    retired += n;
    if (n < slice) break;
  }
  const { rows } = await pool.query<{ t: Date }>(`SELECT clock_timestamp() AS t`);
  const since = rows[0]?.t ?? new Date();
  if (await openBefore(pool, since, waitTimeoutMs)) return { deleted: 0, retired, deferred: true };
  let deleted = 0;
  for (;;) {
    const n = (await pool.query(DELETE_RETIRED_SLICE, [cutoff, slice])).rowCount ?? 0;
    deleted += n;
    if (n < slice) break;
  }
  return { deleted, retired, deferred: false };
}
