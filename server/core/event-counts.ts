import { isAggregatable, type TypeRate, type ValidEvent } from "../contract";
import { bucketStart, MINUTE_MS, SECOND_MS } from "./time";

/** The metric the walking skeleton maintains: events per type, 1-minute buckets. */
export const EVENTS_METRIC = "events";
export const MINUTE_RESOLUTION = "1m";

/** Additive change to one rollup row; merged into the stored state by an upsert. */
export interface RollupDelta {
  metric: string;
  resolution: string;
  bucketStart: number;
  groupKey: string;
  count: number;
  sum: number;
  min: number | null;
  max: number | null;
}

/** Keeps the first occurrence of every id: one batch may carry a redelivered duplicate. */
export function dedupeById<T extends { id: string }>(events: readonly T[]): T[] {
  const seen = new Set<string>();
  return events.filter((event) => (seen.has(event.id) ? false : (seen.add(event.id), true)));
}

/** The same value rule as `addValue`: out-of-bounds values count but feed nothing, -0 is 0. */
function mergeValue(delta: RollupDelta, value: number | undefined) {
  delta.count += 1;
  if (value === undefined || !isAggregatable(value)) return;
  const v = value === 0 ? 0 : value;
  delta.sum += v;
  delta.min = delta.min === null ? v : Math.min(delta.min, v);
  delta.max = delta.max === null ? v : Math.max(delta.max, v);
}

/**
 * Per-type, per-minute rollup deltas for newly stored events, sorted by key so that
 * concurrent writers lock rows in the same order (no deadlocks).
 */
export function eventCountDeltas(events: readonly ValidEvent[]): RollupDelta[] {
  const deltas = new Map<string, RollupDelta>();
  for (const event of events) {
    const start = bucketStart(event.ts, MINUTE_MS);
    const key = `${start}|${event.type}`;
    let delta = deltas.get(key);
    if (!delta) {
      delta = {
        metric: EVENTS_METRIC,
        resolution: MINUTE_RESOLUTION,
        bucketStart: start,
        groupKey: event.type,
        count: 0,
        sum: 0,
        min: null,
        max: null,
      };
      deltas.set(key, delta);
    }
    mergeValue(delta, event.value);
  }
  return [...deltas.values()].sort(
    (a, b) => a.bucketStart - b.bucketStart || a.groupKey.localeCompare(b.groupKey),
  );
}

/** Events per one-second bucket and type (event time), for the live chart. */
export function perSecondRates(events: readonly ValidEvent[]): TypeRate[] {
  const counts = new Map<string, TypeRate>();
  for (const event of events) {
    const t = bucketStart(event.ts, SECOND_MS);
    const key = `${t}|${event.type}`;
    const rate = counts.get(key);
    if (rate) rate.count += 1;
    else counts.set(key, { t, type: event.type, count: 1 });
  }
  return [...counts.values()].sort((a, b) => a.t - b.t || a.type.localeCompare(b.type));
}
