import type pg from "pg";
import { summarize, type AggregateState, type StateSummary } from "../core/aggregate-state";
import { stateFromRow, type StoredStateColumns } from "../db/rollup-store";

/**
 * Ground truth for batch-layer tests, straight from raw_events with SQL (no engine code), and
 * the stored coarse rows to compare with it.
 */
export interface RawTruth {
  eventsByType: Map<string, number>;
  latency: { count: number; sum: number; min: number | null; max: number | null; sorted: number[] };
  activeUsers: number;
}

export async function rawTruth(pool: pg.Pool, from: number, to: number): Promise<RawTruth> {
  const range = [new Date(from), new Date(to)];
  const byType = await pool.query<{ type: string; n: number }>(
    `SELECT type, count(*)::int AS n FROM raw_events WHERE ts >= $1 AND ts < $2 GROUP BY type`,
    range,
  );
  const latency = await pool.query<{ values: number[] | null }>(
    `SELECT array_agg(value ORDER BY value) AS values FROM raw_events
     WHERE type = 'api_request' AND ts >= $1 AND ts < $2 AND value IS NOT NULL`,
    range,
  );
  const users = await pool.query<{ n: number }>(
    `SELECT count(DISTINCT attrs->>'user_id')::int AS n FROM raw_events
     WHERE type = 'page_view' AND ts >= $1 AND ts < $2 AND attrs ? 'user_id'`,
    range,
  );
  const sorted = latency.rows[0]?.values ?? [];
  return {
    eventsByType: new Map(byType.rows.map((r) => [r.type, r.n])),
    latency: {
      count: sorted.length,
      sum: sorted.reduce((a, b) => a + b, 0),
      min: sorted[0] ?? null,
      max: sorted.at(-1) ?? null,
      sorted,
    },
    activeUsers: users.rows[0]?.n ?? 0,
  };
}

/** Stored rows of one tier at one bucket start, keyed `metric|group`. */
export async function readTier(
  pool: pg.Pool,
  resolution: string,
  start: number,
): Promise<Map<string, AggregateState>> {
  const result = await pool.query<StoredStateColumns & { metric: string; group_key: string }>(
    `SELECT metric, group_key, count, sum, min, max, quantiles, distinct_sketch FROM metric_rollups
     WHERE resolution = $1 AND bucket_start = $2`,
    [resolution, new Date(start)],
  );
  return new Map(result.rows.map((r) => [`${r.metric}|${r.group_key}`, stateFromRow(r)]));
}

/** Rank DDSketch reports (floor(q·(n−1))), from the exact sorted values. */
export const exactQuantile = (sorted: readonly number[], q: number) =>
  sorted[Math.floor(q * (sorted.length - 1))] ?? null;

/** Asserts a stored state equals the raw truth; returns readable mismatches (empty when equal). */
export function truthMismatches(tier: ReadonlyMap<string, AggregateState>, truth: RawTruth): string[] {
  const wrong: string[] = [];
  const get = (key: string): StateSummary | null => {
    const state = tier.get(key);
    return state ? summarize(state) : null;
  };
  for (const [type, n] of truth.eventsByType) {
    const got = get(`events|${type}`)?.count ?? 0;
    if (got !== n) wrong.push(`events|${type}: count ${got} ≠ ${n}`);
  }
  const latency = get("api_latency|");
  const t = truth.latency;
  if ((latency?.count ?? 0) !== t.count) wrong.push(`api_latency count ${latency?.count} ≠ ${t.count}`);
  if (latency && Math.abs(latency.sum - t.sum) > 1e-6 * Math.max(1, t.sum))
    wrong.push(`api_latency sum ${latency.sum} ≠ ${t.sum}`);
  if (latency && (latency.min !== t.min || latency.max !== t.max))
    wrong.push(`api_latency min/max ${latency.min}/${latency.max} ≠ ${t.min}/${t.max}`);
  for (const q of [0.5, 0.95, 0.99] as const) {
    const want = exactQuantile(t.sorted, q);
    const got = latency?.[`p${Math.round(q * 100)}` as "p50" | "p95" | "p99"] ?? null;
    if (want !== null && (got === null || Math.abs(got - want) > 0.01 * want))
      wrong.push(`api_latency p${q * 100} ${got} not within 1 % of ${want}`);
  }
  const users = get("active_users|")?.distinct ?? 0;
  if (Math.abs(users - truth.activeUsers) > Math.max(1, 0.02 * truth.activeUsers))
    wrong.push(`active_users distinct ${users} ≠ ${truth.activeUsers}`);
  return wrong;
}
