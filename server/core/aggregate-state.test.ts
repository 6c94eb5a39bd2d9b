import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  addValue,
  AggregateStateError,
  BIN_LIMIT,
  deserializeState,
  emptyState,
  mergeStates,
  serializeState,
  summarize,
  type AggregateState,
} from "./aggregate-state";
import { emptyHll, hllAdd } from "./hll";
import { hllFromBytes, hllToBytes } from "./hll-bytes";

/** mulberry32: tiny seeded PRNG, so every run sees the same data. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const gaussian = (r: () => number) => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());

const stateOf = (values: readonly (number | undefined)[], keys: readonly string[] = []) => {
  const state = emptyState();
  for (let i = 0; i < Math.max(values.length, keys.length); i++) addValue(state, values[i], keys[i]);
  return state;
};
const roundTrip = (s: AggregateState) => deserializeState(serializeState(s));
const mergeAll = (states: AggregateState[]) => states.reduce(mergeStates, emptyState());

/** Randomly spreads values over `parts` states, round-trips each through a row, merges. */
function splitAndMerge(values: number[], parts: number, r: () => number): AggregateState {
  const states = Array.from({ length: parts }, emptyState);
  for (const v of values) addValue(states[Math.floor(r() * parts)] ?? emptyState(), v);
  return mergeAll(states.map(roundTrip).sort(() => r() - 0.5));
}

/** DDSketch's rank, which we match: sorted[floor(q·(n−1))], 0-based ("lower" nearest rank). */
const exactQuantile = (sorted: number[], q: number) => sorted[Math.floor(q * (sorted.length - 1))] ?? NaN;
const QUANTILES = [
  ["p50", 0.5],
  ["p90", 0.9],
  ["p95", 0.95],
  ["p99", 0.99],
] as const;

describe("percentiles within 1 % relative error", () => {
  const N = 10_000;
  const distributions: [string, (r: () => number) => number][] = [
    ["uniform 1..1000", (r) => 1 + r() * 999],
    ["lognormal μ=3 σ=1.5", (r) => Math.exp(3 + 1.5 * gaussian(r))],
    ["constant 42.5", () => 42.5],
    ["two values 3 | 3000", (r) => (r() < 0.7 ? 3 : 3000)],
    ["normal around 0 (negatives, zeros)", (r) => (r() < 0.05 ? 0 : 50 * gaussian(r))],
    ["near 1 (sketch key 0)", (r) => (r() < 0.5 ? 0.001 + r() * 0.01 : 0.99 + r() * 0.01)],
  ];
  const builds: [string, (values: number[], r: () => number) => AggregateState][] = [
    ["one state", (values) => stateOf(values)],
    ["7 merged rows", (values, r) => splitAndMerge(values, 7, r)],
    ["200 merged rows", (values, r) => splitAndMerge(values, 200, r)],
  ];
  for (const [name, draw] of distributions) {
    for (const [how, build] of builds) {
      it(`${name}, ${how}`, () => {
        const r = rng(7);
        const values = Array.from({ length: N }, () => draw(r));
        const sorted = [...values].sort((a, b) => a - b);
        const summary = summarize(build(values, r));
        for (const [field, q] of QUANTILES) {
          const exact = exactQuantile(sorted, q);
          const estimate = summary[field] ?? NaN;
          expect(Math.abs(estimate - exact), `${field} ${estimate} vs ${exact}`).toBeLessThanOrEqual(
            0.01 * (1 + 1e-9) * Math.abs(exact),
          );
        }
        expect([summary.count, summary.min, summary.max]).toEqual([N, sorted[0], sorted[N - 1]]);
      });
    }
  }
});

describe("summarize", () => {
  it.each([
    ["empty", [], { count: 0, sum: 0, avg: null, min: null, max: null, p50: null, p99: null }],
    ["no values", [undefined, undefined], { count: 2, sum: 0, avg: null, min: null, p50: null }],
    ["single value is exact", [7.3], { count: 1, avg: 7.3, min: 7.3, max: 7.3, p50: 7.3, p99: 7.3 }],
    ["avg over values only", [10, undefined, 20], { count: 3, sum: 30, avg: 15, min: 10, max: 20 }],
    ["non-finite values ignored", [5, NaN, Infinity, -Infinity], { count: 4, sum: 5, avg: 5, p99: 5 }],
    // Lower nearest rank: with n = 2, index floor(0.99 · 1) = 0.
    ["two values: lower rank", [3, 3000], { p50: 3, p90: 3, p99: 3, min: 3, max: 3000 }],
    ["negatives", [-10, -20, -30], { min: -30, max: -10, sum: -60 }],
  ] as const)("%s", (_name, values, expected) => {
    expect(summarize(stateOf(values))).toMatchObject(expected);
  });

  it("counts distinct keys; numbers are stringified by the caller", () => {
    const s = stateOf([1, 2, 3, 4], ["u1", "u2", "u1", String(42)]);
    expect(summarize(s).distinct).toBe(3);
    expect(summarize(emptyState()).distinct).toBe(0);
  });
});

describe("merging", () => {
  // Integer values: float sums are only approximately associative.
  const event = fc.record({
    value: fc.oneof(fc.integer({ min: -1e6, max: 1e6 }), fc.constantFrom(undefined, NaN, Infinity)),
    key: fc.option(fc.string({ maxLength: 4 }), { nil: undefined }),
  });
  const events = fc.array(event, { maxLength: 60 });
  const build = (es: { value: number | undefined; key: string | undefined }[]) => {
    const s = emptyState();
    for (const e of es) addValue(s, e.value, e.key);
    return s;
  };

  it("is associative and commutative, and equals building one state", () => {
    fc.assert(
      fc.property(events, events, events, (xs, ys, zs) => {
        const [a, b, c] = [build(xs), build(ys), build(zs)];
        const left = summarize(mergeStates(mergeStates(a, b), c));
        expect(summarize(mergeStates(a, mergeStates(b, c)))).toEqual(left);
        expect(summarize(mergeStates(c, mergeStates(b, a)))).toEqual(left);
        expect(summarize(build([...xs, ...ys, ...zs]))).toEqual(left);
      }),
      { numRuns: 300 },
    );
  });

  it("leaves its inputs untouched", () => {
    const a = stateOf([1, 2], ["x", "y"]);
    const before = serializeState(a);
    mergeStates(a, stateOf([-5, 100], ["z"]));
    expect(serializeState(a)).toEqual(before);
  });

  // @datadog/sketches-js 2.1.1 merge() drops negative bins and writes NaN bins for key 0.
  it.each([
    ["negative store", [-5, -4, 3], [-10, 1, -10]],
    ["source max key 0", [0.001, 0.002, 0.005, 0.009], [0.001, 1, 1, 1, 1, 1]],
  ])("works around the library merge bug: %s", (_name, xs, ys) => {
    expect(summarize(mergeStates(stateOf(xs), stateOf(ys)))).toEqual(summarize(stateOf([...xs, ...ys])));
  });
});

describe("serialization", () => {
  // Realistic magnitudes here; the extreme range gets its own (slower) case below.
  const finite = fc.oneof(
    fc.constant(0),
    fc.tuple(fc.boolean(), fc.double({ min: 1e-3, max: 1e6, noNaN: true })).map(([neg, v]) => (neg ? -v : v)),
  );
  it("round-trips exactly: same fields, same summary, same bytes", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.option(finite), fc.option(fc.string()))), (events) => {
        const s = stateOf(
          events.map(([v]) => v ?? undefined),
          events.map(([, k]) => k ?? "fixed"),
        );
        const row = serializeState(s);
        const back = deserializeState(row);
        expect(serializeState(back)).toEqual(row);
        expect(summarize(back)).toEqual(summarize(s));
      }),
      { numRuns: 200 },
    );
  });

  it("round-trips and bounds the row for the extreme magnitudes the contract accepts", () => {
    const MAX = Number.MAX_SAFE_INTEGER;
    const s = stateOf([1e-300, MAX, -MAX, 5e-324, -1e-200, 0, 3, 1e-9, -1e-9]);
    const row = serializeState(s);
    expect(row.quantiles?.length).toBeLessThan(2 * BIN_LIMIT * 8 + 100);
    const back = deserializeState(row);
    expect(serializeState(back)).toEqual(row);
    expect(summarize(back)).toEqual(summarize(s));
    expect(summarize(back)).toMatchObject({ count: 9, min: -MAX, max: MAX });
  });

  it("stores no sketch bytes for what was never fed", () => {
    expect(serializeState(emptyState())).toEqual({
      count: 0,
      sum: 0,
      min: null,
      max: null,
      quantiles: null,
      distinct: null,
    });
    expect(serializeState(stateOf([undefined], ["k"]))).toMatchObject({ quantiles: null });
    expect(serializeState(stateOf([1])).distinct).toBeNull();
  });

  it("keeps rows small: trimmed quantile bins, one 8-byte hash per key for few keys", () => {
    const row = serializeState(stateOf([42], ["user-1"]));
    expect(row.quantiles?.length).toBeLessThan(64);
    expect(row.distinct?.length).toBe(2 + 8);
  });

  it.each([
    ["garbage quantile bytes", { quantiles: new Uint8Array([1, 2, 3, 4, 5]) }],
    ["HLL of another precision", { distinct: new Uint8Array([2, 12]) }],
    ["truncated dense HLL", { distinct: new Uint8Array([1, 14, 0]) }],
  ])("rejects %s with AggregateStateError", (_name, patch) => {
    const row = { ...serializeState(emptyState()), ...patch };
    expect(() => deserializeState(row)).toThrow(AggregateStateError);
  });
});

describe("distinct count (HyperLogLog)", () => {
  const keysWithRepeats = (n: number, repeats: number, key: (i: number) => string) =>
    Array.from({ length: n * repeats }, (_, i) => key(i % n));

  it.each([0, 1, 2, 10, 50, 100])("is within max(1, 2 percent) for %i keys", (n) => {
    const estimate = summarize(
      stateOf(
        [],
        keysWithRepeats(n, 3, (i) => `user-${i}`),
      ),
    ).distinct;
    expect(Math.abs(estimate - n)).toBeLessThanOrEqual(Math.max(1, 0.02 * n));
  });

  const r = rng(99);
  const randomIds = Array.from({ length: 100_000 }, () => r().toString(36).slice(2, 12));
  it.each([
    { name: "user-i", key: (i: number) => `user-${i}` },
    { name: "stringified numbers", key: (i: number) => String(i * 7919) },
    { name: "random ids", key: (i: number) => randomIds[i] ?? "" },
  ])("is within 2 percent at 10^5 distinct $name (with repeats)", ({ key }) => {
    const keys = keysWithRepeats(100_000, 2, key);
    const distinctCount = new Set(keys).size;
    const state = stateOf([], keys);
    expect(Math.abs(summarize(state).distinct / distinctCount - 1)).toBeLessThan(0.02);
  });

  it("counts the union when merging overlapping sets", () => {
    const a = stateOf(
      [],
      keysWithRepeats(60_000, 1, (i) => `u${i}`),
    );
    const b = stateOf(
      [],
      keysWithRepeats(60_000, 1, (i) => `u${i + 40_000}`),
    );
    const union = summarize(mergeStates(a, b)).distinct;
    expect(Math.abs(union / 100_000 - 1)).toBeLessThan(0.02);
    expect(union).toBe(
      summarize(
        stateOf(
          [],
          keysWithRepeats(100_000, 1, (i) => `u${i}`),
        ),
      ).distinct,
    );
  });

  it("switches from sparse to dense bytes when that is smaller", () => {
    const hll = emptyHll();
    for (let i = 0; i < 100_000; i++) hllAdd(hll, `k${i}`);
    const bytes = hllToBytes(hll);
    expect(bytes.length).toBe(2 + 16_384);
    expect(hllFromBytes(bytes).registers).toEqual(hll.registers);
  });
});
