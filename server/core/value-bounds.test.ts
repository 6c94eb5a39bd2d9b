import { describe, expect, it } from "vitest";
import { VALUE_LIMITS } from "../contract/value-range";
import { seededRandom } from "../testing/seeded-random";
import {
  accumulateSerialized,
  addSums,
  addValue,
  AggregateRangeError,
  deserializeState,
  emptyAccumulator,
  emptyState,
  finishAccumulator,
  mergeInto,
  mergeStates,
  serializeState,
  SKETCH_MIN_MAGNITUDE,
  summarize,
  summarizeAccumulator,
  type AggregateState,
  type StateSummary,
} from "./aggregate-state";
import { eventCountDeltas } from "./event-counts";
import { fieldInput } from "./metric-match";

const MAX = VALUE_LIMITS.maxMagnitude;
const SEED = 20261202;
const QUANTILES = [
  ["p50", 0.5],
  ["p90", 0.9],
  ["p95", 0.95],
  ["p99", 0.99],
] as const;

/** Exact quantile by sorting: DDSketch's rank floor(q·(n−1)), 0-based. */
const exactQuantile = (sorted: readonly number[], q: number) =>
  sorted[Math.floor(q * (sorted.length - 1))] ?? NaN;

/** 1 % relative; below the sketch's smallest magnitude the stated bound is absolute (< 1e-9). */
const tolerance = (exact: number) =>
  Math.max(
    0.01 * (1 + 1e-9) * Math.abs(exact),
    Math.abs(exact) < SKETCH_MIN_MAGNITUDE ? SKETCH_MIN_MAGNITUDE : 0,
  );

/** Magnitudes spread evenly over the decades [10^lo, hi], signed and with some zeros. */
function spread(n: number, lo: number, hi: number, negatives: boolean, seed: number): number[] {
  const r = seededRandom(seed);
  const top = Math.log10(hi);
  return Array.from({ length: n }, () => {
    if (r.chance(0.03)) return 0;
    const magnitude = Math.min(hi, 10 ** (lo + r.next() * (top - lo)));
    return negatives && r.chance(0.4) ? -magnitude : magnitude;
  });
}

function stateOf(values: readonly number[]): AggregateState {
  const state = emptyState();
  for (const v of values) addValue(state, v);
  return state;
}

/** The same values as `parts` stored rows, merged the processor's way and the history API's way. */
function builds(values: readonly number[], parts: number): [string, StateSummary][] {
  const states = Array.from({ length: parts }, emptyState);
  values.forEach((v, i) => addValue(states[i % parts] ?? emptyState(), v));
  const rows = states.map(serializeState);
  const merged = rows.map(deserializeState).reduce(mergeStates, emptyState());
  const acc = emptyAccumulator();
  for (const row of rows) accumulateSerialized(acc, row);
  return [
    ["one state", summarize(stateOf(values))],
    [`${parts} rows merged`, summarize(merged)],
    [`${parts} rows accumulated (history)`, summarizeAccumulator(acc)],
    [`${parts} rows, sketch rebuilt`, summarize(finishAccumulator(acc))],
  ];
}

describe("percentiles hold their stated accuracy over the whole accepted range", () => {
  it.each([
    ["api_request latency: 1e-12 … 24 h", -12, VALUE_LIMITS.maxLatencyMs, false],
    ["transaction amount: 1e-12 … 1e12", -12, VALUE_LIMITS.maxAmount, false],
    ["generic value: ±(1e-12 … 2^53 − 1)", -12, MAX, true],
    ["the issue's case: 1e-6 … 1e13", -6, 1e13, false],
  ] as const)("%s", (_name, lo, hi, negatives) => {
    const values = spread(20_000, lo, hi, negatives, SEED);
    const sorted = [...values].sort((a, b) => a - b);
    for (const [how, summary] of builds(values, 37)) {
      for (const [field, q] of QUANTILES) {
        const exact = exactQuantile(sorted, q);
        const estimate = summary[field] ?? NaN;
        expect(
          Math.abs(estimate - exact),
          `${how} ${field}: ${estimate} vs exact ${exact}`,
        ).toBeLessThanOrEqual(tolerance(exact));
      }
      expect([summary.min, summary.max, summary.count]).toEqual([sorted[0], sorted.at(-1), values.length]);
    }
  });

  it("p50 at each end of the range (all mass at the smallest or the largest magnitudes)", () => {
    for (const values of [
      [MAX, MAX * 0.999, 1e-9, 2e-9, 3e-9],
      [MAX, MAX * 0.5, MAX * 0.25, 1e-9, 1e-8],
      [-MAX, -1e-9, -2e-9, MAX],
    ]) {
      const sorted = [...values].sort((a, b) => a - b);
      const exact = exactQuantile(sorted, 0.5);
      expect(Math.abs((summarize(stateOf(values)).p50 ?? NaN) - exact)).toBeLessThanOrEqual(tolerance(exact));
    }
  });
});

describe("values the contract rejects never reach a statistic", () => {
  it.each([
    ["1.7e308", 1.7e308],
    ["-1e300", -1e300],
    ["2^53 + 2", MAX + 2],
    ["Infinity", Infinity],
    ["NaN", NaN],
  ])("%s counts as an event (a stored row from before the bounds) but feeds nothing", (_name, v) => {
    const s = stateOf([10, v, v, v, 20]);
    expect(summarize(s)).toMatchObject({
      count: 5,
      sum: 30,
      avg: 15,
      min: 10,
      max: 20,
      p50: expect.any(Number),
    });
    const definition = { aggregation: "sum", field: "value" } as Parameters<typeof fieldInput>[0];
    const event = { id: "x", type: "error", ts: 0, v: 1, value: v, attrs: {} };
    expect(fieldInput(definition, event)).toEqual({});
    const [delta] = eventCountDeltas([event, { ...event, id: "y", value: 2 }]);
    expect(delta).toMatchObject({ count: 2, sum: 2, min: 2, max: 2 });
  });

  it("-0 is stored as 0, so no figure reads -0", () => {
    const s = stateOf([-0]);
    const summary = summarize(s);
    for (const figure of [summary.min, summary.max, summary.p50, summary.sum])
      expect(Object.is(figure, 0), `figure ${String(figure)}`).toBe(true);
    const [delta] = eventCountDeltas([{ id: "z", type: "error", ts: 0, v: 1, value: -0, attrs: {} }]);
    expect(Object.is(delta?.min, 0) && Object.is(delta?.max, 0)).toBe(true);
  });
});

describe("merged states stay finite", () => {
  const withSum = (sum: number): AggregateState => ({ ...stateOf([1]), sum });

  it("refuses a merge whose sum would overflow; a row already non-finite (from before the bounds) is kept for repair", () => {
    expect(() => mergeStates(withSum(1.7e308), withSum(1.7e308))).toThrow(AggregateRangeError);
    expect(() => mergeInto(withSum(-1.7e308), withSum(-1.7e308))).toThrow(AggregateRangeError);
    const acc = emptyAccumulator();
    accumulateSerialized(acc, serializeState(withSum(1.7e308)));
    expect(() => accumulateSerialized(acc, serializeState(withSum(1.7e308)))).toThrow(/overflows/);
    expect(addSums(1, 2)).toBe(3);
    // Failing here would wedge the processor on an old row; reconciliation repairs it instead.
    expect(mergeStates(withSum(Infinity), withSum(5)).sum).toBe(Infinity);
  });
});
