import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MetricDefinition, type ValidEvent } from "../contract";
import { arbDefinition, arbDelivery, FIXED_DEFINITIONS } from "../testing/engine-arbitraries";
import { conditionHolds, oracleRollups, rollupKey } from "../testing/metric-oracle";
import { rollupMismatches } from "../testing/oracle-compare";
import { mergeInto, summarize, type AggregateState } from "./aggregate-state";
import {
  classify,
  classifyBatch,
  DEFAULT_TIME_SETTINGS,
  idleAdvance,
  metricDeltas,
  watermarkOf,
  type Clock,
  type Lateness,
} from "./engine";
import { MINUTE_MS } from "./time";

const T0 = Date.UTC(2026, 10, 25, 12, 0, 0);
const settings = DEFAULT_TIME_SETTINGS;
/** Processing time of the split/oracle properties: after every generated event time. */
const LATER = T0 + 41 * MINUTE_MS;

describe("classify", () => {
  it.each([
    ["no watermark yet", T0, null, "on_time"],
    ["bucket still open", T0 + 30_000, T0 + 59_999, "on_time"],
    ["bucket just final", T0 + 30_000, T0 + 60_000, "late"],
    ["within lateness", T0, T0 + 60_000 + 10 * MINUTE_MS - 1, "late"],
    ["beyond lateness", T0, T0 + 60_000 + 10 * MINUTE_MS, "too_late"],
  ] as const)("%s", (_name, ts, watermark, expected) => {
    expect(classify(ts, watermark, settings)).toBe(expected);
  });
});

const arbDeliveryAtT0 = arbDelivery(T0);

/** The streaming path as the processor runs it: classify, store once, aggregate new rows. */
function stream(batches: ValidEvent[][], definitions: readonly MetricDefinition[]) {
  let clock: Clock = { maxEventTime: null };
  const stored = new Map<string, { event: ValidEvent; lateness: Lateness }>();
  const table = new Map<string, AggregateState>();
  for (const batch of batches) {
    const classified = classifyBatch(clock, batch, settings, LATER);
    clock = classified.clock;
    const fresh: { event: ValidEvent; lateness: Lateness }[] = [];
    batch.forEach((event, i) => {
      if (stored.has(event.id)) return;
      const row = { event, lateness: classified.lateness[i] as Lateness };
      stored.set(event.id, row);
      fresh.push(row);
    });
    for (const delta of metricDeltas(definitions, fresh)) {
      const key = rollupKey(delta.metric, delta.bucketStart, delta.groupKey);
      const current = table.get(key);
      if (current) mergeInto(current, delta.state);
      else table.set(key, delta.state);
    }
  }
  return { stored, table };
}

/** Which outcomes each filter op of the fixed definitions met over all runs. */
const outcomes = new Map<string, Set<boolean>>();
function noteOutcomes(definitions: readonly MetricDefinition[], events: readonly ValidEvent[]) {
  for (const definition of definitions)
    for (const condition of definition.filter)
      for (const event of events.filter((e) => e.type === definition.eventType))
        outcomes.set(
          condition.op,
          (outcomes.get(condition.op) ?? new Set()).add(conditionHolds(condition, event)),
        );
}

describe("streamed rollups equal an independent oracle over the raw events", () => {
  it("for any order, duplicates, batch split and definitions (percentiles within 1 %, distinct exact)", () => {
    const definitions = fc
      .array(arbDefinition, { maxLength: 4 })
      .map((random) => [
        ...FIXED_DEFINITIONS,
        ...random.map((d, i) => MetricDefinition.parse({ ...d, name: `random_${i}` })),
      ]);
    fc.assert(
      fc.property(arbDeliveryAtT0, definitions, ({ batches }, all) => {
        const { stored, table } = stream(batches, all);
        const counted = [...stored.values()].filter((r) => r.lateness !== "too_late").map((r) => r.event);
        noteOutcomes(FIXED_DEFINITIONS, counted);
        const actual = new Map([...table].map(([key, state]) => [key, summarize(state)]));
        expect(rollupMismatches(oracleRollups(all, counted), actual)).toEqual([]);
      }),
      { numRuns: 150 },
    );
    // Every op both held and failed for some event: the property could see a wrong verdict.
    const ops = ["eq", "neq", "gt", "gte", "lt", "lte", "in", "exists", "missing"];
    expect(ops.map((op) => [op, outcomes.get(op)?.size])).toEqual(ops.map((op) => [op, 2]));
  });

  it("classifies each stored event the same way however the stream is split", () => {
    fc.assert(
      fc.property(arbDeliveryAtT0, ({ stream: all, batches }) => {
        const split = stream(batches, FIXED_DEFINITIONS).stored;
        const whole = stream([all], FIXED_DEFINITIONS).stored;
        for (const [id, row] of whole) expect(split.get(id)?.lateness).toBe(row.lateness);
      }),
      { numRuns: 150 },
    );
  });

  it("marks an event too late exactly when its bucket closed beyond the lateness bound", () => {
    const late = { id: "old", type: "api_request", ts: T0, v: 1, attrs: { route: "/a", status: 200 } };
    const now = { ...late, id: "now", ts: T0 + 12 * MINUTE_MS };
    const result = classifyBatch({ maxEventTime: null }, [now, late], settings, LATER);
    expect(result.lateness).toEqual(["on_time", "too_late"]);
    expect(metricDeltas(FIXED_DEFINITIONS, [{ event: late, lateness: "too_late" }])).toEqual([]);
  });
});

const pageView = (id: string, ts: number): ValidEvent => ({
  id,
  type: "page_view",
  ts,
  v: 1,
  attrs: { path: "/" },
});

describe("the processing clock bounds the watermark", () => {
  it("an event 4 minutes ahead moves the clock only to the processing time; later real events stay on time", () => {
    const now = T0 + 30_000;
    const first = classifyBatch(
      { maxEventTime: T0 },
      [pageView("future", now + 4 * MINUTE_MS)],
      settings,
      now,
    );
    expect(first.lateness).toEqual(["on_time"]);
    expect(first.clock).toEqual({ maxEventTime: now });
    expect(watermarkOf(first.clock, settings)).toBe(now - settings.outOfOrdernessMs);
    // One second later, an event of one second ago: before the fix it was late (its minute
    // looked closed 235 s ahead of the wall clock).
    const next = classifyBatch(first.clock, [pageView("real", now)], settings, now + 1_000);
    expect(next.lateness).toEqual(["on_time"]);
  });

  it("a stored clock ahead of the processing time is bounded too", () => {
    const now = T0 + 30_000;
    const result = classifyBatch(
      { maxEventTime: now + 235_000 },
      [pageView("a", now - 2_000)],
      settings,
      now,
    );
    expect(result.lateness).toEqual(["on_time"]);
    expect(result.clock.maxEventTime).toBe(now);
    expect(watermarkOf({ maxEventTime: now + 235_000 }, settings, now)).toBe(now - settings.outOfOrdernessMs);
  });

  it("never lets the watermark pass now − out-of-orderness, for any mix of future events (seeded)", () => {
    const arbStep = fc.record({
      advance: fc.integer({ min: 0, max: 20_000 }),
      offsets: fc.array(fc.integer({ min: -15 * MINUTE_MS, max: 5 * MINUTE_MS }), { maxLength: 20 }),
    });
    fc.assert(
      fc.property(fc.array(arbStep, { minLength: 1, maxLength: 30 }), (steps) => {
        let clock: Clock = { maxEventTime: null };
        let now = T0;
        let n = 0;
        for (const step of steps) {
          now += step.advance;
          const events = step.offsets.map((offset) => pageView(`e${n++}`, now + offset));
          const result = classifyBatch(clock, events, settings, now);
          clock = result.clock;
          const watermark = watermarkOf(clock, settings);
          if (watermark !== null) expect(watermark).toBeLessThanOrEqual(now - settings.outOfOrdernessMs);
          // An event of this very second is never late, whatever came before it.
          result.lateness.forEach((verdict, i) => {
            if ((step.offsets[i] ?? 0) >= -1_000) expect(verdict).toBe("on_time");
          });
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe("idle advance", () => {
  const timeout = 10_000;
  it.each([
    ["before the first event", { maxEventTime: null }, T0, T0 + 60_000, null],
    ["not idle long enough", { maxEventTime: T0 }, T0, T0 + timeout - 1, null],
    ["idle for the timeout", { maxEventTime: T0 }, T0, T0 + timeout, { maxEventTime: T0 + timeout }],
    ["clock already at now", { maxEventTime: T0 + 20_000 }, T0, T0 + 20_000, null],
  ] as const)("%s", (_name, clock, lastActivityAt, now, expected) => {
    expect(idleAdvance(clock, lastActivityAt, now, timeout)).toEqual(expected);
  });

  it("makes the last bucket final without new events", () => {
    const last = classifyBatch({ maxEventTime: null }, [pageView("last", T0 + 1_000)], settings, T0 + 1_000);
    const open = watermarkOf(last.clock, settings);
    expect(open !== null && open >= T0 + MINUTE_MS).toBe(false);
    const idle = idleAdvance(last.clock, T0 + 1_000, T0 + 2 * MINUTE_MS, timeout);
    expect(idle && watermarkOf(idle, settings)).toBeGreaterThanOrEqual(T0 + MINUTE_MS);
  });
});
