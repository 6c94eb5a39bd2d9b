import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ValidEvent } from "../contract";
import { dedupeById, eventCountDeltas, perSecondRates } from "./event-counts";

const T0 = Date.UTC(2026, 10, 25, 12, 0, 0);
const ev = (id: string, type: string, ts: number, value?: number): ValidEvent => ({
  id,
  type,
  ts,
  v: 1,
  attrs: {},
  ...(value === undefined ? {} : { value }),
});

describe("eventCountDeltas", () => {
  it("groups by minute and type with count, sum, min, max", () => {
    const deltas = eventCountDeltas([
      ev("a", "api_request", T0 + 1_000, 10),
      ev("b", "api_request", T0 + 59_999, 30),
      ev("c", "api_request", T0 + 60_000, 5),
      ev("d", "page_view", T0 + 2_000),
    ]);
    expect(deltas).toEqual([
      {
        metric: "events",
        resolution: "1m",
        bucketStart: T0,
        groupKey: "api_request",
        count: 2,
        sum: 40,
        min: 10,
        max: 30,
      },
      {
        metric: "events",
        resolution: "1m",
        bucketStart: T0,
        groupKey: "page_view",
        count: 1,
        sum: 0,
        min: null,
        max: null,
      },
      {
        metric: "events",
        resolution: "1m",
        bucketStart: T0 + 60_000,
        groupKey: "api_request",
        count: 1,
        sum: 5,
        min: 5,
        max: 5,
      },
    ]);
  });

  it("counts every event exactly once, whatever the order", () => {
    const arbEvent = fc.record({
      type: fc.constantFrom("page_view", "api_request", "transaction"),
      offset: fc.integer({ min: 0, max: 10 * 60_000 }),
    });
    fc.assert(
      fc.property(fc.array(arbEvent, { maxLength: 200 }), (items) => {
        const events = items.map((item, i) => ev(`e${i}`, item.type, T0 + item.offset));
        const deltas = eventCountDeltas(events);
        expect(deltas.reduce((n, d) => n + d.count, 0)).toBe(events.length);
        const reversed = eventCountDeltas([...events].reverse());
        expect(reversed).toEqual(deltas);
      }),
    );
  });
});

describe("perSecondRates", () => {
  it("buckets by whole seconds of event time", () => {
    expect(perSecondRates([ev("a", "x", T0 + 999), ev("b", "x", T0), ev("c", "y", T0 + 1000)])).toEqual([
      { t: T0, type: "x", count: 2 },
      { t: T0 + 1000, type: "y", count: 1 },
    ]);
  });
});

describe("dedupeById", () => {
  it("keeps the first of each id", () => {
    expect(dedupeById([ev("a", "x", 1), ev("a", "y", 2), ev("b", "x", 3)]).map((e) => e.type)).toEqual([
      "x",
      "x",
    ]);
  });
});
