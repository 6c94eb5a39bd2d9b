import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MetricDefinition, type ValidEvent } from "../contract";
import { mergeInto, summarize, type AggregateState } from "./aggregate-state";
import {
  classify,
  classifyBatch,
  DEFAULT_TIME_SETTINGS,
  deltaKey,
  idleAdvance,
  metricDeltas,
  watermarkOf,
  type Clock,
  type Lateness,
} from "./engine";
import { fieldInput, groupKeys, matches } from "./metric-match";
import { bucketStart, MINUTE_MS } from "./time";

const T0 = Date.UTC(2026, 10, 25, 12, 0, 0);
const settings = DEFAULT_TIME_SETTINGS;
/** Processing time of the split/oracle properties: after every generated event time. */
const LATER = T0 + 41 * MINUTE_MS;

const definitions = [
  { name: "api_latency", eventType: "api_request", aggregation: "p95", field: "value", groupBy: "route" },
  {
    name: "api_errors",
    eventType: "api_request",
    aggregation: "count",
    filter: [{ attr: "status", op: "gte", value: 500 }],
  },
  { name: "active_users", eventType: "api_request", aggregation: "distinct", field: "user_id" },
].map((d) => MetricDefinition.parse(d));

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

interface Generated {
  event: ValidEvent;
}

const arbEvent = fc
  .record({
    offset: fc.integer({ min: 0, max: 40 * MINUTE_MS }),
    route: fc.constantFrom("/a", "/b", "/c"),
    status: fc.constantFrom(200, 404, 500, 503),
    latency: fc.double({ min: 0.5, max: 5000, noNaN: true }),
    user: fc.integer({ min: 0, max: 60 }),
    withValue: fc.boolean(),
  })
  .map((r): Omit<Generated["event"], "id"> => ({
    type: "api_request",
    ts: T0 + r.offset,
    v: 1,
    attrs: { route: r.route, status: r.status, user_id: `u${r.user}` },
    ...(r.withValue ? { value: r.latency } : {}),
  }));

/** A delivery: events in an order with shuffles, then duplicates, then split into batches. */
const arbDelivery = fc
  .array(arbEvent, { minLength: 1, maxLength: 150 })
  .chain((events) => {
    const withIds = events.map((e, i) => ({ ...e, id: `e${i}` }) as ValidEvent);
    return fc.record({
      order: fc.shuffledSubarray(withIds, { minLength: withIds.length, maxLength: withIds.length }),
      duplicates: fc.array(fc.nat({ max: withIds.length - 1 }), { maxLength: 30 }),
      cuts: fc.array(fc.nat({ max: withIds.length + 30 }), { maxLength: 12 }),
    });
  })
  .map(({ order, duplicates, cuts }) => {
    // A duplicate is a redelivery or a producer retry: it comes after its original.
    const stream = [...order];
    for (const index of duplicates) {
      const original = order[index] as ValidEvent;
      const at = stream.indexOf(original) + 1 + (index % 5);
      stream.splice(Math.min(at, stream.length), 0, { ...original });
    }
    const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
    const batches: ValidEvent[][] = [];
    let from = 0;
    for (const point of [...points, stream.length]) {
      if (point > from) batches.push(stream.slice(from, point));
      from = Math.max(from, point);
    }
    return { stream, batches };
  });

/** The streaming path as the processor runs it: classify, store once, aggregate new rows. */
function stream(batches: ValidEvent[][]) {
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
      const key = deltaKey(delta.metric, delta.bucketStart, delta.groupKey);
      const current = table.get(key);
      if (current) mergeInto(current, delta.state);
      else table.set(key, delta.state);
    }
  }
  return { stored, table };
}

/** The batch oracle: exact aggregates recomputed from the stored, counted events. */
function oracle(stored: Iterable<{ event: ValidEvent; lateness: Lateness }>) {
  const groups = new Map<string, { count: number; values: number[]; keys: Set<string> }>();
  for (const { event, lateness } of stored) {
    if (lateness === "too_late") continue;
    for (const definition of definitions) {
      if (!matches(definition, event)) continue;
      const input = fieldInput(definition, event);
      for (const group of groupKeys(definition, event)) {
        const key = deltaKey(definition.name, bucketStart(event.ts, MINUTE_MS), group);
        const entry = groups.get(key) ?? { count: 0, values: [], keys: new Set<string>() };
        entry.count += 1;
        if (input.value !== undefined) entry.values.push(input.value);
        if (input.distinctKey !== undefined) entry.keys.add(input.distinctKey);
        groups.set(key, entry);
      }
    }
  }
  return groups;
}

const rank = (sorted: number[], q: number) => sorted[Math.floor(q * (sorted.length - 1))] as number;

describe("streamed rollups equal a batch recomputation", () => {
  it("for any order, duplicates and batch split (percentiles within 1 %)", () => {
    fc.assert(
      fc.property(arbDelivery, ({ batches }) => {
        const { stored, table } = stream(batches);
        const expected = oracle(stored.values());
        expect([...table.keys()].sort()).toEqual([...expected.keys()].sort());
        for (const [key, truth] of expected) {
          const summary = summarize(table.get(key) as AggregateState);
          expect(summary.count).toBe(truth.count);
          const sorted = [...truth.values].sort((a, b) => a - b);
          const sum = sorted.reduce((a, b) => a + b, 0);
          expect(summary.sum).toBeCloseTo(sum, 6);
          expect(summary.min).toBe(sorted.length ? sorted[0] : null);
          expect(summary.max).toBe(sorted.length ? sorted.at(-1) : null);
          for (const [q, p] of [
            [0.5, summary.p50],
            [0.95, summary.p95],
            [0.99, summary.p99],
          ] as const) {
            if (sorted.length === 0) continue;
            const exact = rank(sorted, q);
            expect(Math.abs((p as number) - exact) / exact).toBeLessThanOrEqual(0.0100001);
          }
          expect(Math.abs(summary.distinct - truth.keys.size)).toBeLessThanOrEqual(
            Math.max(1, truth.keys.size * 0.02),
          );
        }
      }),
      { numRuns: 150 },
    );
  });

  it("classifies each stored event the same way however the stream is split", () => {
    fc.assert(
      fc.property(arbDelivery, ({ stream: all, batches }) => {
        const split = stream(batches).stored;
        const whole = stream([all]).stored;
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
    expect(metricDeltas(definitions, [{ event: late, lateness: "too_late" }])).toEqual([]);
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
