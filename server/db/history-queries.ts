import type pg from "pg";
import type { CompactedPeriods, Segment } from "../core/history/cover";
import type { StoredRow } from "../core/history/merge";

// SQL of the history API. Everything is parameterized; the only fragments chosen in code are
// the constant group filters below.

const COMPACTED_PERIODS = `
SELECT resolution, (extract(epoch FROM period_start) * 1000)::float8 AS start
FROM rollup_periods
WHERE status = 'compacted' AND period_start >= $1 AND period_start < $2`;

/** 'compacted' 1h/1d periods starting in [from, to). */
export async function readCompactedPeriods(
  pool: pg.Pool,
  from: number,
  to: number,
): Promise<CompactedPeriods> {
  const result = await pool.query<{ resolution: string; start: number }>(COMPACTED_PERIODS, [
    new Date(from),
    new Date(to),
  ]);
  const hours = new Set<number>();
  const days = new Set<number>();
  for (const row of result.rows) (row.resolution === "1d" ? days : hours).add(row.start);
  return { hours, days };
}

export type GroupSelection = "all-groups" | "per-group" | "both";
const GROUP_FILTER: Record<GroupSelection, string> = {
  "all-groups": "r.group_key = ''",
  "per-group": "r.group_key <> ''",
  both: "TRUE",
};

// One index range scan per tier segment, on the primary key (metric, resolution,
// bucket_start, group_key). The LATERAL subquery with OFFSET 0 keeps it that way: as a plain
// join the planner hashes the segments and scans the whole table (0.9 s instead of 10 ms at
// 180 segments over 1.2 M rows).
const rowsSql = (groups: GroupSelection) => `
SELECT (extract(epoch FROM r.bucket_start) * 1000)::float8 AS bucket, r.group_key,
       r.count::float8 AS count, r.sum, r.min, r.max, r.quantiles, r.distinct_sketch, r.revisions
FROM unnest($2::text[], $3::timestamptz[], $4::timestamptz[]) AS s(res, a, b)
CROSS JOIN LATERAL (
  SELECT * FROM metric_rollups r
  WHERE r.metric = $1 AND r.resolution = s.res AND r.bucket_start >= s.a AND r.bucket_start < s.b
    AND ${GROUP_FILTER[groups]}
  OFFSET 0
) r`;

interface RowColumns {
  bucket: number;
  group_key: string;
  count: number;
  sum: number;
  min: number | null;
  max: number | null;
  quantiles: Buffer | null;
  distinct_sketch: Buffer | null;
  revisions: number;
}

/** The rollup rows of `metric` inside the cover's segments, each from its segment's tier. */
export async function readCoverRows(
  pool: pg.Pool,
  metric: string,
  segments: readonly Segment[],
  groups: GroupSelection,
): Promise<StoredRow[]> {
  if (segments.length === 0) return [];
  const result = await pool.query<RowColumns>(rowsSql(groups), [
    metric,
    segments.map((s) => s.resolution),
    segments.map((s) => new Date(s.start)),
    segments.map((s) => new Date(s.end)),
  ]);
  return result.rows.map((row) => ({
    bucketStart: row.bucket,
    groupKey: row.group_key,
    revisions: row.revisions,
    state: {
      count: row.count,
      sum: row.sum,
      min: row.min,
      max: row.max,
      quantiles: row.quantiles,
      distinct: row.distinct_sketch,
    },
  }));
}

const MIN_EVENT_TIME = `
SELECT (extract(epoch FROM min(max_event_time)) * 1000)::float8 AS t FROM consumer_checkpoints`;

/**
 * Highest event time every consumer has reached (the slowest partition bounds what is final),
 * or null before the first event.
 */
export async function readStreamEventTime(pool: pg.Pool): Promise<number | null> {
  const result = await pool.query<{ t: number | null }>(MIN_EVENT_TIME);
  return result.rows[0]?.t ?? null;
}
