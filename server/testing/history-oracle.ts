import type pg from "pg";
import type { BreakdownRow, SeriesPoint } from "../contract/history";

/**
 * The batch oracle of the history tests: the same figures recomputed with GROUP BY over
 * raw_events in SQL, buckets cut by Postgres' own zone rules (date_trunc(unit, ts, zone)).
 * Percentiles use the exact value at sorted index floor(q·(n−1)), the rank DDSketch reports.
 */
export interface OracleCell {
  count: number;
  sum: number;
  min: number | null;
  max: number | null;
  values: number[];
  distinct: number;
}

export type OracleBuckets = Map<number, Map<string, OracleCell>>;

export interface OracleQuery {
  type: string;
  /** 'day' | 'hour' | '15m' (15 minutes only in UTC) | 'range' (one bucket keyed by from). */
  unit: "day" | "hour" | "15m" | "range";
  tz: string;
  from: number;
  to: number;
  groupAttr: string | null;
  distinctAttr: string | null;
}

// $4 (the zone) is referenced by every variant so Postgres can type it.
const BUCKET_SQL = {
  day: "date_trunc('day', ts, $4)",
  hour: "date_trunc('hour', ts, $4)",
  "15m": "date_bin('15 minutes', ts, TIMESTAMPTZ '2000-01-01 00:00Z') + (0 * length($4)) * interval '1 s'",
  range: "$2::timestamptz + (0 * length($4)) * interval '1 s'",
} as const;

export async function oracleBuckets(pool: pg.Pool, q: OracleQuery): Promise<OracleBuckets> {
  const result = await pool.query<{
    b: number;
    g: string;
    count: number;
    sum: number;
    min: number | null;
    max: number | null;
    vals: number[] | null;
    distinct: number;
  }>(
    `SELECT (extract(epoch FROM ${BUCKET_SQL[q.unit]}) * 1000)::float8 AS b,
            coalesce(nullif(attrs->>$5, ''), '(none)') AS g, count(*)::int AS count, coalesce(sum(value), 0)::float8 AS sum,
            min(value) AS min, max(value) AS max,
            array_agg(value ORDER BY value) FILTER (WHERE value IS NOT NULL) AS vals,
            count(DISTINCT attrs->>$6)::int AS distinct
     FROM raw_events WHERE type = $1 AND ts >= $2 AND ts < $3 GROUP BY 1, 2`,
    [
      q.type,
      new Date(q.from),
      new Date(q.to),
      q.tz,
      q.groupAttr ?? "__no_group__",
      q.distinctAttr ?? "__none__",
    ],
  );
  const buckets: OracleBuckets = new Map();
  for (const row of result.rows) {
    const cells = buckets.get(row.b) ?? new Map<string, OracleCell>();
    cells.set(q.groupAttr ? row.g : "", {
      count: row.count,
      sum: row.sum,
      min: row.min,
      max: row.max,
      values: row.vals ?? [],
      distinct: row.distinct,
    });
    buckets.set(row.b, cells);
  }
  return buckets;
}

/** Merges the cells of the groups not kept (top N) into one "(other)" cell. */
export function mergeCells(cells: readonly OracleCell[]): OracleCell {
  const values = cells.flatMap((c) => c.values).sort((a, b) => a - b);
  const mins = cells.map((c) => c.min).filter((v): v is number => v !== null);
  const maxs = cells.map((c) => c.max).filter((v): v is number => v !== null);
  return {
    count: cells.reduce((s, c) => s + c.count, 0),
    sum: cells.reduce((s, c) => s + c.sum, 0),
    min: mins.length ? Math.min(...mins) : null,
    max: maxs.length ? Math.max(...maxs) : null,
    values,
    distinct: Number.NaN,
  };
}

/** Group ranking over the range as the API must produce it: count desc, then name. */
export function oracleRanking(buckets: OracleBuckets): string[] {
  const totals = new Map<string, number>();
  for (const cells of buckets.values())
    for (const [g, c] of cells) totals.set(g, (totals.get(g) ?? 0) + c.count);
  return [...totals].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([g]) => g);
}

const rank = (values: readonly number[], q: number) => values[Math.floor(q * (values.length - 1))] ?? null;

/** Differences between an API point and the oracle cell (empty when within the bounds). */
export function pointDifferences(
  point: SeriesPoint | BreakdownRow,
  expected: OracleCell | undefined,
  label: string,
): string[] {
  const cell = expected ?? { count: 0, sum: 0, min: null, max: null, values: [], distinct: 0 };
  const out: string[] = [];
  const exact = (name: string, a: number | null, b: number | null) => {
    if (a !== b) out.push(`${label} ${name}: api ${a} vs sql ${b}`);
  };
  exact("count", point.count, cell.count);
  exact("min", point.min, cell.min);
  exact("max", point.max, cell.max);
  if (Math.abs(point.sum - cell.sum) > 1e-9 * Math.max(1, Math.abs(cell.sum)))
    out.push(`${label} sum: api ${point.sum} vs sql ${cell.sum}`);
  for (const [name, q] of [
    ["p50", 0.5],
    ["p90", 0.9],
    ["p95", 0.95],
    ["p99", 0.99],
  ] as const) {
    const want = rank(cell.values, q);
    const got = point[name];
    if (want === null || got === null) exact(name, got, want);
    else if (Math.abs(got - want) > 0.01 * Math.abs(want))
      out.push(`${label} ${name}: api ${got} vs sql ${want} (> 1 %)`);
  }
  // HLL precision 14: standard error 0.81 %; allow 3 %, and exact for tiny sets.
  if (
    !Number.isNaN(cell.distinct) &&
    Math.abs(point.distinct - cell.distinct) > Math.max(1, 0.03 * cell.distinct)
  )
    out.push(`${label} distinct: api ${point.distinct} vs sql ${cell.distinct}`);
  return out;
}
