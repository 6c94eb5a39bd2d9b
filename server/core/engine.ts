import type { MetricDefinition, ValidEvent } from "../contract";
import { addValue, emptyState, type AggregateState } from "./aggregate-state";
import { fieldInput, groupKeys, matches } from "./metric-match";
import { bucketStart, MINUTE_MS } from "./time";

/** Event-time settings of a deployment (DESIGN.md, "Metrics and time semantics"). */
export interface TimeSettings {
  /** Watermark = max event time seen − this. */
  outOfOrdernessMs: number;
  /** Events whose 1-minute bucket closed less than this before the watermark revise it. */
  allowedLatenessMs: number;
}

export const DEFAULT_TIME_SETTINGS: TimeSettings = {
  outOfOrdernessMs: 5_000,
  allowedLatenessMs: 10 * 60_000,
};

/**
 * Event-time progress of one consumer; persisted with its checkpoint. The high mark never runs
 * ahead of the processing clock (docs/decisions/0019): an event from the future (the contract
 * allows 5 min) raises it only to the processing time it was seen at.
 */
export interface Clock {
  /** max over events of min(event time, processing time when classified); null before the first. */
  maxEventTime: number | null;
}

export type Lateness = "on_time" | "late" | "too_late";

/** `open` until the watermark passes the bucket's end, then `final`, or `revised` once changed after that. */
export function bucketStatus(
  start: number,
  sizeMs: number,
  watermark: number | null,
  revised: boolean,
): "open" | "final" | "revised" {
  if (watermark === null || start + sizeMs > watermark) return "open";
  return revised ? "revised" : "final";
}

/**
 * Watermark = high mark − out-of-orderness. With `now`, also bounded by that processing time:
 * readers of a stored clock (scheduler, history) never call the future final.
 */
export function watermarkOf(clock: Clock, settings: TimeSettings, now?: number): number | null {
  if (clock.maxEventTime === null) return null;
  const high = now === undefined ? clock.maxEventTime : Math.min(clock.maxEventTime, now);
  return high - settings.outOfOrdernessMs;
}

/**
 * `on_time` while the event's 1-minute bucket is still open; `late` when it is final but
 * within the allowed lateness (the bucket is revised); `too_late` beyond that (stored raw,
 * counted as too late, folded in by reconciliation).
 */
export function classify(ts: number, watermark: number | null, settings: TimeSettings): Lateness {
  if (watermark === null) return "on_time";
  const end = bucketStart(ts, MINUTE_MS) + MINUTE_MS;
  if (end > watermark) return "on_time";
  return end > watermark - settings.allowedLatenessMs ? "late" : "too_late";
}

/**
 * Classifies a batch in delivery order at processing time `now`, advancing the clock event by
 * event, so the result does not depend on how the stream is split into batches. Redelivered
 * events cannot move the clock: it only ever takes maxima of times it has already seen. An
 * event time beyond `now` counts as `now` (and so does a stored clock ahead of it, written by
 * older code), so one event from the future cannot make the events after it late.
 */
export function classifyBatch(
  clock: Clock,
  events: readonly ValidEvent[],
  settings: TimeSettings,
  now: number,
): { clock: Clock; lateness: Lateness[] } {
  let maxEventTime = clock.maxEventTime === null ? null : Math.min(clock.maxEventTime, now);
  const lateness = events.map((event) => {
    const verdict = classify(
      event.ts,
      maxEventTime === null ? null : maxEventTime - settings.outOfOrdernessMs,
      settings,
    );
    const seen = Math.min(event.ts, now);
    maxEventTime = maxEventTime === null ? seen : Math.max(maxEventTime, seen);
    return verdict;
  });
  return { clock: { maxEventTime }, lateness };
}

/**
 * The clock of a stream that has been idle (nothing delivered, nothing pending) since
 * `lastActivityAt`: after `idleTimeoutMs` its event time follows the processing clock, so the
 * last open buckets turn final without new events. Null while not due, or before the first
 * event (an empty stream has no event time to advance).
 */
export function idleAdvance(
  clock: Clock,
  lastActivityAt: number,
  now: number,
  idleTimeoutMs: number,
): Clock | null {
  if (clock.maxEventTime === null || now - lastActivityAt < idleTimeoutMs) return null;
  if (clock.maxEventTime >= now) return null;
  return { maxEventTime: now };
}

/** Change to one rollup bucket (1 minute when persisted, 10 s in the live tier), merged into the stored state at commit. */
export interface MetricDelta {
  metric: string;
  bucketStart: number;
  groupKey: string;
  state: AggregateState;
  /** True when a late event changed a bucket that was already final: a revision. */
  revised: boolean;
}

export const deltaKey = (metric: string, bucket: number, group: string) =>
  `${metric}\u0000${bucket}\u0000${group}`;

/**
 * Aggregates newly stored, counted events into per-metric, per-minute, per-group deltas.
 * Sorted by key so concurrent writers lock rows in one order.
 */
export function metricDeltas(
  definitions: readonly MetricDefinition[],
  events: readonly { event: ValidEvent; lateness: Lateness }[],
  bucketMs: number = MINUTE_MS,
): MetricDelta[] {
  const deltas = new Map<string, MetricDelta>();
  for (const { event, lateness } of events) {
    if (lateness === "too_late") continue;
    const bucket = bucketStart(event.ts, bucketMs);
    for (const definition of definitions) {
      if (!definition.enabled || !matches(definition, event)) continue;
      const input = fieldInput(definition, event);
      for (const group of groupKeys(definition, event)) {
        const key = deltaKey(definition.name, bucket, group);
        let delta = deltas.get(key);
        if (!delta) {
          delta = {
            metric: definition.name,
            bucketStart: bucket,
            groupKey: group,
            state: emptyState(),
            revised: false,
          };
          deltas.set(key, delta);
        }
        addValue(delta.state, input.value, input.distinctKey);
        if (lateness === "late") delta.revised = true;
      }
    }
  }
  return [...deltas.values()].sort(
    (a, b) =>
      a.metric.localeCompare(b.metric) ||
      a.bucketStart - b.bucketStart ||
      a.groupKey.localeCompare(b.groupKey),
  );
}
