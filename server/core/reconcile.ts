import type { MetricDefinition, ValidEvent } from "../contract";
import { mergeInto, serializeState, type AggregateState } from "./aggregate-state";
import { deltaKey, metricDeltas } from "./engine";
import { eventCountDeltas } from "./event-counts";

/** A 1-minute rollup state keyed like `deltaKey`. */
export interface MinuteState {
  metric: string;
  bucketStart: number;
  groupKey: string;
  state: AggregateState;
}

/**
 * The batch oracle: what the 1-minute rows of these raw events must hold, computed with the
 * processor's own engine (`metricDeltas`, `eventCountDeltas`) — every stored event counts
 * once, including the too-late ones the stream left out. Raw attrs are stored enriched, so
 * no dimension lookup is repeated (and later dimension edits do not rewrite history).
 * Pass `into` to fold events page by page: the result is the same as one call over all.
 */
export function batchOracle(
  definitions: readonly MetricDefinition[],
  events: readonly ValidEvent[],
  into: Map<string, MinuteState> = new Map(),
): Map<string, MinuteState> {
  const fold = (row: MinuteState) => {
    const key = deltaKey(row.metric, row.bucketStart, row.groupKey);
    const existing = into.get(key);
    if (existing) mergeInto(existing.state, row.state);
    else into.set(key, row);
  };
  const counted = events.map((event) => ({ event, lateness: "on_time" as const }));
  for (const delta of metricDeltas(definitions, counted)) fold(delta);
  for (const d of eventCountDeltas(events)) {
    const state = { count: d.count, sum: d.sum, min: d.min, max: d.max, quantiles: null, distinct: null };
    fold({ metric: d.metric, bucketStart: d.bucketStart, groupKey: d.groupKey, state });
  }
  return into;
}

export type DriftKind = "missing" | "unexpected" | "different";

/** One 1-minute row where the stream disagrees with the raw events. */
export interface RowDrift {
  key: string;
  metric: string;
  bucketStart: number;
  groupKey: string;
  kind: DriftKind;
  /** Fields that differ (for `different`). */
  fields: string[];
  streamed: AggregateState | null;
  batch: AggregateState | null;
}

const sameBytes = (a: Uint8Array | null, b: Uint8Array | null) =>
  a === null || b === null ? a === b : a.length === b.length && a.every((byte, i) => byte === b[i]);

/** Sums are added in another order by the stream: equal within float rounding. */
const SUM_TOLERANCE = 1e-9;

/** Fields in which two states differ; sketches compare bin for bin (their bytes are canonical). */
export function stateDifferences(streamed: AggregateState, batch: AggregateState): string[] {
  const a = serializeState(streamed);
  const b = serializeState(batch);
  const fields: string[] = [];
  if (a.count !== b.count) fields.push("count");
  // Written as "not within": a NaN sum (an overflow from before the value bounds) differs too.
  if (!(Math.abs(a.sum - b.sum) <= SUM_TOLERANCE * Math.max(1, Math.abs(b.sum)))) fields.push("sum");
  if (a.min !== b.min) fields.push("min");
  if (a.max !== b.max) fields.push("max");
  if (!sameBytes(a.quantiles, b.quantiles)) fields.push("quantiles");
  if (!sameBytes(a.distinct, b.distinct)) fields.push("distinct");
  return fields;
}

/**
 * Every row where the streamed 1-minute state differs from the oracle. Only metrics the
 * oracle covers (`metrics`) are compared: rows of a disabled or deleted definition are not
 * the oracle's to judge.
 */
export function findDrift(
  oracle: ReadonlyMap<string, MinuteState>,
  streamed: ReadonlyMap<string, MinuteState>,
  metrics: ReadonlySet<string>,
): RowDrift[] {
  const drift: RowDrift[] = [];
  for (const [key, want] of oracle) {
    const got = streamed.get(key);
    const base = { key, metric: want.metric, bucketStart: want.bucketStart, groupKey: want.groupKey };
    if (!got) drift.push({ ...base, kind: "missing", fields: [], streamed: null, batch: want.state });
    else {
      const fields = stateDifferences(got.state, want.state);
      if (fields.length > 0)
        drift.push({ ...base, kind: "different", fields, streamed: got.state, batch: want.state });
    }
  }
  for (const [key, got] of streamed) {
    if (oracle.has(key) || !metrics.has(got.metric) || got.state.count === 0) continue;
    drift.push({
      key,
      metric: got.metric,
      bucketStart: got.bucketStart,
      groupKey: got.groupKey,
      kind: "unexpected",
      fields: [],
      streamed: got.state,
      batch: null,
    });
  }
  return drift.sort((x, y) => x.key.localeCompare(y.key));
}

/** Drift of one metric in one hour, as recorded in `reconciliation_drift`. */
export interface MetricDrift {
  metric: string;
  bucketsDrifted: number;
  streamedCount: number;
  batchCount: number;
  streamedSum: number;
  batchSum: number;
  /** A few drifted rows, for the operator. */
  examples: { bucketStart: string; groupKey: string; kind: DriftKind; fields: string[] }[];
}

const MAX_EXAMPLES = 5;

/** Groups row drift per metric; counts and sums are over the drifted rows only. */
export function summarizeDrift(drift: readonly RowDrift[]): MetricDrift[] {
  const byMetric = new Map<string, MetricDrift>();
  for (const row of drift) {
    let entry = byMetric.get(row.metric);
    if (!entry) {
      entry = {
        metric: row.metric,
        bucketsDrifted: 0,
        streamedCount: 0,
        batchCount: 0,
        streamedSum: 0,
        batchSum: 0,
        examples: [],
      };
      byMetric.set(row.metric, entry);
    }
    entry.bucketsDrifted += 1;
    entry.streamedCount += row.streamed?.count ?? 0;
    entry.batchCount += row.batch?.count ?? 0;
    entry.streamedSum += row.streamed?.sum ?? 0;
    entry.batchSum += row.batch?.sum ?? 0;
    if (entry.examples.length < MAX_EXAMPLES)
      entry.examples.push({
        bucketStart: new Date(row.bucketStart).toISOString(),
        groupKey: row.groupKey,
        kind: row.kind,
        fields: row.fields,
      });
  }
  return [...byMetric.values()].sort((a, b) => a.metric.localeCompare(b.metric));
}
