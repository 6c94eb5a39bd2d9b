/**
 * Micro benchmark of the rollup aggregate state (not a test: numbers depend on the machine).
 * Run: npx tsx bench/aggregate-state.bench.ts
 */
import {
  addValue,
  deserializeState,
  emptyState,
  mergeStates,
  serializeState,
  type AggregateState,
} from "../server/core/aggregate-state";

/** mulberry32, so every run measures the same data. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const r = rng(1);
/** Latency-like values: lognormal around 50 ms, spanning ~3 decades. */
const lognormal = () =>
  Math.exp(Math.log(50) + Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r()));
const VALUES = Float64Array.from({ length: 1 << 16 }, lognormal);
const KEYS = Array.from({ length: 1 << 16 }, (_, i) => `user-${Math.floor(r() * 50_000)}-${i % 7}`);
const MASK = (1 << 16) - 1;

/** Runs `fn` in batches until `minMs` has passed (after a warm-up) and returns ops/s. */
function measure(fn: (i: number) => void, batch: number, minMs = 1000): number {
  for (let i = 0; i < batch; i++) fn(i);
  let ops = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < minMs) {
    for (let i = 0; i < batch; i++) fn(ops + i);
    ops += batch;
    elapsed = performance.now() - start;
  }
  return (ops / elapsed) * 1000;
}

function stateWith(events: number, distinct: boolean): AggregateState {
  const s = emptyState();
  for (let i = 0; i < events; i++) addValue(s, VALUES[i & MASK], distinct ? KEYS[i & MASK] : undefined);
  return s;
}

const rows: { case: string; "ops/s": string }[] = [];
const report = (name: string, opsPerSecond: number) =>
  rows.push({ case: name, "ops/s": Math.round(opsPerSecond).toLocaleString("en-US") });

const hot = emptyState();
report(
  "addValue (value)",
  measure((i) => addValue(hot, VALUES[i & MASK]), 100_000),
);
const hotDistinct = emptyState();
report(
  "addValue (value + distinct)",
  measure((i) => addValue(hotDistinct, VALUES[i & MASK], KEYS[i & MASK]), 100_000),
);
const hotKeyOnly = emptyState();
report(
  "addValue (distinct only)",
  measure((i) => addValue(hotKeyOnly, undefined, KEYS[i & MASK]), 100_000),
);

// A 1-minute bucket of a busy metric: 1000 events, ~1000 distinct keys.
const a = stateWith(1000, true);
const b = stateWith(1000, true);
const aValues = stateWith(1000, false);
const bValues = stateWith(1000, false);
report(
  "mergeStates (values only)",
  measure(() => mergeStates(aValues, bValues), 1000),
);
report(
  "mergeStates (values + distinct)",
  measure(() => mergeStates(a, b), 1000),
);
const row = serializeState(a);
const rowValues = serializeState(aValues);
report(
  "serializeState (values + distinct)",
  measure(() => serializeState(a), 1000),
);
report(
  "deserializeState (values + distinct)",
  measure(() => deserializeState(row), 1000),
);
report(
  "serializeState (values only)",
  measure(() => serializeState(aValues), 1000),
);
report(
  "deserializeState (values only)",
  measure(() => deserializeState(rowValues), 1000),
);
console.table(rows);

const sizes = [
  ["1 value, 1 key", stateWith(1, true)],
  ["100 values, ~100 keys", stateWith(100, true)],
  ["1000 values, ~1000 keys", a],
  ["10^5 values, ~50k keys", stateWith(100_000, true)],
  [
    "10^5 values, 10^5 distinct keys",
    (() => {
      const s = stateWith(100_000, false);
      for (let i = 0; i < 100_000; i++) addValue(s, undefined, `id-${i}`);
      return s;
    })(),
  ],
] as const;
console.table(
  sizes.map(([name, state]) => {
    const serialized = serializeState(state);
    return {
      case: name,
      "quantiles bytes": serialized.quantiles?.length ?? 0,
      "distinct bytes": serialized.distinct?.length ?? 0,
    };
  }),
);
