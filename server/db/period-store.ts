import type pg from "pg";
import { DAY_MS, HOUR_MS, type CoarseResolution, type PeriodStatus } from "../core/periods";
import { bucketStart } from "../core/time";

/**
 * `rollup_periods`: which 1h/1d periods hold a compacted coarse row. Lock order, followed by
 * every writer so none deadlocks: 1m rows → hour periods → day periods.
 */

// Marks the touched periods dirty when they exist (one index lookup per key; nothing is
// written while a period has never been compacted). The CTE locks in hour → day order.
const MARK_DIRTY = `
WITH keys AS (SELECT * FROM unnest($1::text[], $2::timestamptz[]) AS k(resolution, period_start)),
locked AS (
  SELECT p.resolution, p.period_start FROM rollup_periods p
  JOIN keys k ON p.resolution = k.resolution AND p.period_start = k.period_start
  ORDER BY p.resolution DESC, p.period_start
  FOR UPDATE OF p)
UPDATE rollup_periods p SET status = 'dirty', updated_at = now()
FROM locked l WHERE p.resolution = l.resolution AND p.period_start = l.period_start
RETURNING p.resolution, (extract(epoch FROM p.period_start) * 1000)::float8 AS period_start`;

/** The hours and days that contain these 1-minute buckets. */
export function periodsOf(minuteStarts: Iterable<number>): { resolution: CoarseResolution; start: number }[] {
  const keys = new Map<string, { resolution: CoarseResolution; start: number }>();
  for (const minute of minuteStarts) {
    for (const [resolution, size] of [
      ["1h", HOUR_MS],
      ["1d", DAY_MS],
    ] as const) {
      const start = bucketStart(minute, size);
      keys.set(`${resolution}@${start}`, { resolution, start });
    }
  }
  return [...keys.values()];
}

/**
 * In the caller's transaction: the compacted coarse periods over these minutes no longer
 * match their 1m rows, so the history API must fall back to the finer tier until the
 * scheduler has recompacted them. Returns the periods that were marked.
 */
export async function markPeriodsDirty(
  client: pg.ClientBase,
  minuteStarts: Iterable<number>,
): Promise<{ resolution: CoarseResolution; start: number }[]> {
  const periods = periodsOf(minuteStarts);
  if (periods.length === 0) return [];
  const result = await client.query<{ resolution: CoarseResolution; period_start: number }>(MARK_DIRTY, [
    periods.map((p) => p.resolution),
    periods.map((p) => new Date(p.start)),
  ]);
  return result.rows.map((r) => ({ resolution: r.resolution, start: r.period_start }));
}

/** Status of every period that starts in [from, to]. */
export async function periodStatuses(
  pool: pg.Pool,
  from: number,
  to: number,
): Promise<Map<string, PeriodStatus>> {
  const result = await pool.query<{ resolution: CoarseResolution; start: number; status: PeriodStatus }>(
    `SELECT resolution, (extract(epoch FROM period_start) * 1000)::float8 AS start, status
     FROM rollup_periods WHERE period_start >= $1 AND period_start <= $2`,
    [new Date(from), new Date(to)],
  );
  return new Map(result.rows.map((r) => [`${r.resolution}@${r.start}`, r.status]));
}

/** Dirty periods (oldest first): recompaction is due. */
export async function dirtyPeriods(
  pool: pg.Pool,
  limit: number,
): Promise<{ resolution: CoarseResolution; start: number }[]> {
  const result = await pool.query<{ resolution: CoarseResolution; start: number }>(
    `SELECT resolution, (extract(epoch FROM period_start) * 1000)::float8 AS start
     FROM rollup_periods WHERE status = 'dirty' ORDER BY period_start, resolution DESC LIMIT $1`,
    [limit],
  );
  return result.rows;
}

/** max_event_time of every consumer (the batch watermark is the slowest one's). */
export async function consumerClocks(pool: pg.Pool): Promise<(number | null)[]> {
  const result = await pool.query<{ t: number | null }>(
    `SELECT (extract(epoch FROM max_event_time) * 1000)::float8 AS t FROM consumer_checkpoints`,
  );
  return result.rows.map((r) => r.t);
}

/** Earliest stored 1-minute bucket (index-backed), or null. */
export async function earliestMinute(pool: pg.Pool): Promise<number | null> {
  const result = await pool.query<{ t: number | null }>(
    `SELECT (extract(epoch FROM min(bucket_start)) * 1000)::float8 AS t FROM metric_rollups WHERE resolution = '1m'`,
  );
  return result.rows[0]?.t ?? null;
}

/** How many of the day's hours are compacted (a day is due once all 24 are). */
export async function compactedHoursOfDay(pool: pg.Pool, day: number): Promise<number> {
  const result = await pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM rollup_periods
     WHERE resolution = '1h' AND status = 'compacted' AND period_start >= $1 AND period_start < $2`,
    [new Date(day), new Date(day + DAY_MS)],
  );
  return result.rows[0]?.n ?? 0;
}
