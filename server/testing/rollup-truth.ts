import type pg from "pg";
import type { MetricDefinition, ValidEvent } from "../contract";
import { summarize, type AggregateState } from "../core/aggregate-state";
import { deltaKey, metricDeltas } from "../core/engine";
import { EVENTS_METRIC } from "../core/event-counts";
import { stateFromRow, type StoredStateColumns } from "../db/rollup-store";
import { bucketStart, MINUTE_MS } from "../core/time";

/**
 * Ground truth for end-to-end tests: what the 1-minute rollups must hold for a set of unique,
 * on-time events, computed with the pure core, and a comparison against the stored rows.
 */

interface RollupRow extends StoredStateColumns {
  metric: string;
  bucket: number;
  group_key: string;
}

/** The stored 1-minute rollups, keyed like `deltaKey`. */
export async function readRollups(pool: pg.Pool): Promise<Map<string, AggregateState>> {
  const result = await pool.query<RollupRow>(
    `SELECT metric, (extract(epoch FROM bucket_start) * 1000)::float8 AS bucket, group_key,
            count::float8 AS count, sum, min, max, quantiles, distinct_sketch
     FROM metric_rollups WHERE resolution = '1m'`,
  );
  return new Map(
    result.rows.map((row) => [deltaKey(row.metric, row.bucket, row.group_key), stateFromRow(row)]),
  );
}

/** Expected rollups: metric definitions via `metricDeltas`, plus the per-type `events` rows. */
export function expectedRollups(
  definitions: readonly MetricDefinition[],
  events: readonly ValidEvent[],
): Map<string, AggregateState> {
  // One call over all events merges them per key already.
  const deltas = metricDeltas(
    definitions,
    events.map((event) => ({ event, lateness: "on_time" as const })),
  );
  const expected = new Map(deltas.map((d) => [deltaKey(d.metric, d.bucketStart, d.groupKey), d.state]));
  // The walking-skeleton `events` metric (server/core/event-counts.ts) keeps count/sum/min/max only.
  for (const event of events) {
    const key = deltaKey(EVENTS_METRIC, bucketStart(event.ts, MINUTE_MS), event.type);
    let state = expected.get(key);
    if (!state) {
      state = { count: 0, sum: 0, min: null, max: null, quantiles: null, distinct: null };
      expected.set(key, state);
    }
    state.count += 1;
    if (event.value !== undefined) {
      state.sum += event.value;
      state.min = state.min === null ? event.value : Math.min(state.min, event.value);
      state.max = state.max === null ? event.value : Math.max(state.max, event.value);
    }
  }
  return expected;
}

const describeKey = (key: string) => key.replaceAll("\u0000", " | ");

function relativelyClose(actual: number | null, expected: number | null, tolerance: number): boolean {
  if (actual === null || expected === null) return actual === expected;
  return Math.abs(actual - expected) <= tolerance * Math.max(Math.abs(expected), 1e-9);
}

/**
 * Every difference between expected and stored rollups, as readable lines (empty when equal).
 * count, min, max and the distinct estimate must be exact (HLL merges are order-independent);
 * sums may differ by float rounding; percentiles by 1 % because bins merge in another order.
 */
export function rollupDifferences(
  expected: ReadonlyMap<string, AggregateState>,
  actual: ReadonlyMap<string, AggregateState>,
): string[] {
  const differences: string[] = [];
  for (const key of actual.keys()) {
    if (!expected.has(key)) differences.push(`unexpected row ${describeKey(key)}`);
  }
  for (const [key, want] of expected) {
    const got = actual.get(key);
    if (!got) {
      differences.push(`missing row ${describeKey(key)}`);
      continue;
    }
    const w = summarize(want);
    const g = summarize(got);
    const wrong: string[] = [];
    if (g.count !== w.count) wrong.push(`count ${g.count} ≠ ${w.count}`);
    if (!relativelyClose(g.sum, w.sum, 1e-9)) wrong.push(`sum ${g.sum} ≠ ${w.sum}`);
    if (g.min !== w.min) wrong.push(`min ${g.min} ≠ ${w.min}`);
    if (g.max !== w.max) wrong.push(`max ${g.max} ≠ ${w.max}`);
    if (!relativelyClose(g.p50, w.p50, 0.01)) wrong.push(`p50 ${g.p50} ≠ ${w.p50}`);
    if (!relativelyClose(g.p95, w.p95, 0.01)) wrong.push(`p95 ${g.p95} ≠ ${w.p95}`);
    if (g.distinct !== w.distinct) wrong.push(`distinct ${g.distinct} ≠ ${w.distinct}`);
    if (wrong.length > 0) differences.push(`${describeKey(key)}: ${wrong.join(", ")}`);
  }
  return differences;
}
