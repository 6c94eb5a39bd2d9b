import type pg from "pg";
import { serializeState } from "../core/aggregate-state";
import { compactStates, type RollupState } from "../core/compaction";
import { DAY_MS, hoursOfDay, PERIOD_MS, SOURCE_RESOLUTION, type CoarseResolution } from "../core/periods";
import { bucketStart } from "../core/time";
import { inTransaction } from "./clients";
import { stateColumns, stateFromRow, type StoredStateColumns } from "./rollup-store";

/** A day was asked for before all of its hours were compacted; the job retries later. */
export class DependencyPendingError extends Error {
  override name = "DependencyPendingError";
}

/** Transactions older than a new period row did not finish in time; the job retries later. */
export class CompactionBusyError extends Error {
  override name = "CompactionBusyError";
}

export interface CompactionResult {
  resolution: CoarseResolution;
  periodStart: string;
  sourceRows: number;
  rows: number;
}

const ENSURE_PERIOD = `INSERT INTO rollup_periods (resolution, period_start, status) VALUES ($1, $2, 'dirty')
ON CONFLICT DO NOTHING RETURNING 1`;

const IN_PROGRESS = `SELECT coalesce(array_agg((x::text::numeric % 4294967296)::text), '{}') AS xids
FROM pg_snapshot_xip(pg_current_snapshot()) AS x`;

const STILL_RUNNING = `SELECT count(*)::int AS n FROM pg_stat_activity
WHERE datname = current_database() AND backend_xid::text = ANY($1::text[])`;

/**
 * A writer that ran its mark-dirty statement before the period row existed would not have
 * seen it. Once the row is committed, wait until every transaction of this database that was
 * running then has ended, so the compaction below reads all of their 1m rows.
 */
async function waitForEarlierWriters(pool: pg.Pool, timeoutMs: number): Promise<void> {
  const { rows } = await pool.query<{ xids: string[] }>(IN_PROGRESS);
  const xids = rows[0]?.xids ?? [];
  const deadline = Date.now() + timeoutMs;
  while (xids.length > 0) {
    const running = await pool.query<{ n: number }>(STILL_RUNNING, [xids]);
    if ((running.rows[0]?.n ?? 0) === 0) return;
    if (Date.now() > deadline) throw new CompactionBusyError("earlier transactions still running");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const READ_SOURCE = `
SELECT metric, group_key, count, sum, min, max, quantiles, distinct_sketch, revisions
FROM metric_rollups WHERE resolution = $1 AND bucket_start >= $2 AND bucket_start < $3`;

const INSERT_ROWS = `
INSERT INTO metric_rollups
  (metric, resolution, bucket_start, group_key, count, sum, min, max, quantiles, distinct_sketch, revisions, updated_at)
SELECT m, $1, $2, g, c, s, mn, mx, q, d, rv, now()
FROM unnest($3::text[], $4::text[], $5::bigint[], $6::float8[], $7::float8[], $8::float8[], $9::bytea[],
            $10::bytea[], $11::int[]) AS u(m, g, c, s, mn, mx, q, d, rv)`;

interface SourceRow extends StoredStateColumns {
  metric: string;
  group_key: string;
  revisions: number;
}

async function assertHoursCompacted(client: pg.ClientBase, day: number): Promise<void> {
  const result = await client.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM rollup_periods
     WHERE resolution = '1h' AND status = 'compacted' AND period_start >= $1 AND period_start < $2`,
    [new Date(day), new Date(day + DAY_MS)],
  );
  const compacted = result.rows[0]?.n ?? 0;
  if (compacted < hoursOfDay(day).length)
    throw new DependencyPendingError(`day ${new Date(day).toISOString()}: ${compacted}/24 hours compacted`);
}

async function replaceCoarseRows(
  client: pg.ClientBase,
  resolution: CoarseResolution,
  start: Date,
  merged: RollupState[],
): Promise<void> {
  const states = merged.map((row) => serializeState(row.state));
  // Replace, not upsert: a group that vanished from the finer tier (e.g. after a repair) must
  // vanish here too, and re-running writes the very same rows (idempotent).
  await client.query(`DELETE FROM metric_rollups WHERE resolution = $1 AND bucket_start = $2`, [
    resolution,
    start,
  ]);
  await client.query(INSERT_ROWS, [
    resolution,
    start,
    merged.map((r) => r.metric),
    merged.map((r) => r.groupKey),
    ...stateColumns(states),
    merged.map((r) => r.revisions),
  ]);
}

/**
 * (Re)compacts one final period from its finer tier: the merged rows and the 'compacted'
 * status commit in one transaction, under the period row's lock. An hour's recompaction
 * marks its day dirty (the day is merged from hours). A day first checks that its 24 hours
 * are compacted. The caller decides finality.
 */
export async function compactPeriod(
  pool: pg.Pool,
  resolution: CoarseResolution,
  periodStart: number,
  options: { waitTimeoutMs?: number } = {},
): Promise<CompactionResult> {
  const start = new Date(periodStart);
  const created = await pool.query(ENSURE_PERIOD, [resolution, start]);
  if ((created.rowCount ?? 0) > 0) await waitForEarlierWriters(pool, options.waitTimeoutMs ?? 10_000);
  return inTransaction(pool, async (client) => {
    await client.query(
      `SELECT 1 FROM rollup_periods WHERE resolution = $1 AND period_start = $2 FOR UPDATE`,
      [resolution, start],
    );
    if (resolution === "1d") await assertHoursCompacted(client, periodStart);
    const source = await client.query<SourceRow>(READ_SOURCE, [
      SOURCE_RESOLUTION[resolution],
      start,
      new Date(periodStart + PERIOD_MS[resolution]),
    ]);
    const merged = compactStates(
      source.rows.map((row) => ({
        metric: row.metric,
        groupKey: row.group_key,
        state: stateFromRow(row),
        revisions: row.revisions,
      })),
    );
    await replaceCoarseRows(client, resolution, start, merged);
    await client.query(
      `UPDATE rollup_periods SET status = 'compacted', compacted_at = now(), updated_at = now()
       WHERE resolution = $1 AND period_start = $2`,
      [resolution, start],
    );
    if (resolution === "1h")
      await client.query(
        `UPDATE rollup_periods SET status = 'dirty', updated_at = now()
         WHERE resolution = '1d' AND period_start = $1 AND status = 'compacted'`,
        [new Date(bucketStart(periodStart, DAY_MS))],
      );
    return {
      resolution,
      periodStart: start.toISOString(),
      sourceRows: source.rows.length,
      rows: merged.length,
    };
  });
}
