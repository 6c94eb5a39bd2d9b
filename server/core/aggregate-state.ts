import { LogCollapsingLowestDenseDDSketch } from "@datadog/sketches-js";
import { emptyHll, hllAdd, hllCopy, hllEstimate, hllIsEmpty, hllMergeInto, type Hll } from "./hll";
import { hllFromBytes, hllMergeBytesInto, hllToBytes } from "./hll-bytes";
import { emptyBins, foldSketchBytes, readMappingOf, type SketchBins } from "./sketch-bins";
import { VALUE_LIMITS, isAggregatable } from "../contract/value-range";

/**
 * DDSketch with ≤ 1 % relative error for every value the contract accepts: magnitudes from
 * SKETCH_MIN_MAGNITUDE (1e-9) to 2^53 − 1 fit its stores exactly (docs/decisions/0016), and
 * smaller magnitudes count in its zero bin, so a percentile that falls on them reads 0
 * (absolute error < 1e-9). The collapsing-lowest store is only a backstop for rows written
 * before the bounds.
 */
export type QuantileSketch = LogCollapsingLowestDenseDDSketch;
type SketchStore = QuantileSketch["store"];
export const RELATIVE_ACCURACY = 0.01;
/** Below this magnitude a value counts as 0 in the quantile sketch (sum, min, max stay exact). */
export const SKETCH_MIN_MAGNITUDE = 1e-9;
const MAPPING = new LogCollapsingLowestDenseDDSketch({ relativeAccuracy: RELATIVE_ACCURACY }).mapping;
/** Bins between the keys of SKETCH_MIN_MAGNITUDE and 2^53 − 1 (2874 at 1 %): no accepted value collapses. */
export const BIN_LIMIT = MAPPING.key(VALUE_LIMITS.maxMagnitude) - MAPPING.key(SKETCH_MIN_MAGNITUDE) + 1;

/**
 * Mergeable aggregate of one rollup bucket. Sketches stay null until first fed, so metrics
 * that need neither pay nothing. The sketch's own count is the number of finite values
 * (the avg denominator); its own min/max/sum are not kept up to date — use the fields here.
 */
export interface AggregateState {
  /** Events, with or without a value. */
  count: number;
  sum: number;
  min: number | null;
  max: number | null;
  quantiles: QuantileSketch | null;
  distinct: Hll | null;
}

/** What a rollup row stores; sketches are null when empty to keep rows small. */
export interface SerializedState {
  count: number;
  sum: number;
  min: number | null;
  max: number | null;
  /** DDSketch protobuf (`DDSketch.toProto` format), trimmed to its non-empty bins. */
  quantiles: Uint8Array | null;
  /** See `hllToBytes`. */
  distinct: Uint8Array | null;
}

export interface StateSummary {
  count: number;
  sum: number;
  avg: number | null;
  min: number | null;
  max: number | null;
  p50: number | null;
  p90: number | null;
  p95: number | null;
  p99: number | null;
  distinct: number;
}

/** A stored sketch that cannot be read back (corrupt bytes, or another sketch configuration). */
export class AggregateStateError extends Error {
  override name = "AggregateStateError";
}

const newSketch = (): QuantileSketch =>
  new LogCollapsingLowestDenseDDSketch({ relativeAccuracy: RELATIVE_ACCURACY, binLimit: BIN_LIMIT });
const REFERENCE_MAPPING = MAPPING;
const REFERENCE_PROTO_MAPPING = readMappingOf(newSketch().toProto());

export function emptyState(): AggregateState {
  return { count: 0, sum: 0, min: null, max: null, quantiles: null, distinct: null };
}

/**
 * Hot path: mutates `state`. A value outside ±(2^53 − 1) (or not finite) counts as an event
 * but feeds no statistics: the contract rejects such values, so only raw rows stored before
 * the bounds carry them, and reconciliation repairs their minutes this way (decision 0016).
 */
export function addValue(state: AggregateState, value: number | undefined, distinctKey?: string): void {
  state.count += 1;
  if (value !== undefined && isAggregatable(value)) {
    // -0 becomes 0: it would show as "-0" as a min, max or percentile.
    const v = value === 0 ? 0 : value;
    state.sum += v;
    if (state.min === null || v < state.min) state.min = v;
    if (state.max === null || v > state.max) state.max = v;
    const sketch = (state.quantiles ??= newSketch());
    if (Math.abs(v) >= SKETCH_MIN_MAGNITUDE) sketch.accept(v);
    else {
      sketch.zeroCount += 1;
      sketch.count += 1;
    }
  }
  if (distinctKey !== undefined) hllAdd((state.distinct ??= emptyHll()), distinctKey);
}

/** A stored state would stop being a number: refused instead of written (decision 0016). */
export class AggregateRangeError extends Error {
  override name = "AggregateRangeError";
}

/**
 * `a + b` for the sums of two states. Bounded values cannot overflow for any realistic count,
 * so a non-finite result from finite inputs is a broken invariant, refused rather than stored;
 * an input that is already non-finite (a row from before the bounds, queued for repair by
 * migration 20261202110000) stays as it is instead of failing the writer.
 */
export function addSums(a: number, b: number): number {
  const sum = a + b;
  if (!Number.isFinite(sum) && Number.isFinite(a) && Number.isFinite(b))
    throw new AggregateRangeError(`sum ${a} + ${b} overflows a double`);
  return sum;
}

/** Folds `source` into `target` (mutated; must be another object); `source` is untouched. */
export function mergeInto(target: AggregateState, source: AggregateState): void {
  target.count += source.count;
  target.sum = addSums(target.sum, source.sum);
  if (source.min !== null && (target.min === null || source.min < target.min)) target.min = source.min;
  if (source.max !== null && (target.max === null || source.max > target.max)) target.max = source.max;
  if (source.quantiles) foldSketch((target.quantiles ??= newSketch()), source.quantiles);
  if (source.distinct) {
    if (target.distinct) hllMergeInto(target.distinct, source.distinct);
    else target.distinct = hllCopy(source.distinct);
  }
}

/** A new state for the union of both inputs; associative and commutative. */
export function mergeStates(a: AggregateState, b: AggregateState): AggregateState {
  const merged = emptyState();
  mergeInto(merged, a);
  mergeInto(merged, b);
  return merged;
}

/**
 * Merge by replaying bins through `store.add` rather than `sketch.merge`: in
 * @datadog/sketches-js 2.1.1 `merge` drops the negative store (DataDog/sketches-js#22) and
 * writes NaN bins when the source's max key is 0 (values in (0.98, 1]).
 */
function foldSketch(target: QuantileSketch, source: QuantileSketch): void {
  replayBins(target.store, source.store);
  replayBins(target.negativeStore, source.negativeStore);
  target.zeroCount += source.zeroCount;
  target.count += source.count;
}

function replayBins(target: SketchStore, source: SketchStore): void {
  const { bins, offset } = source;
  for (let i = 0; i < bins.length; i++) {
    const weight = bins[i] ?? 0;
    if (weight > 0) target.add(offset + i, weight);
  }
}

export function serializeState(state: AggregateState): SerializedState {
  const { count, sum, min, max, quantiles, distinct } = state;
  return {
    count,
    sum,
    min,
    max,
    quantiles: quantiles && quantiles.count > 0 ? sketchToBytes(quantiles) : null,
    distinct: distinct && !hllIsEmpty(distinct) ? hllToBytes(distinct) : null,
  };
}

/** `toProto` writes whole 128-bin chunks (1 KB for one value); send only the used range. */
function sketchToBytes(sketch: QuantileSketch): Uint8Array {
  const trimmed = newSketch();
  trimInto(trimmed.store, sketch.store);
  trimInto(trimmed.negativeStore, sketch.negativeStore);
  trimmed.zeroCount = sketch.zeroCount;
  return trimmed.toProto();
}

function trimInto(target: SketchStore, source: SketchStore): void {
  const { bins } = source;
  const first = bins.findIndex((c) => c > 0);
  if (first < 0) return;
  let last = bins.length - 1;
  while ((bins[last] ?? 0) === 0) last--;
  target.bins = bins.slice(first, last + 1);
  target.offset = source.offset + first;
}

export function deserializeState(row: SerializedState): AggregateState {
  const { quantiles, distinct } = row;
  return {
    count: row.count,
    sum: row.sum,
    min: row.min,
    max: row.max,
    quantiles: quantiles ? sketchFromBytes(quantiles) : null,
    distinct: distinct ? readBytes("distinct", () => hllFromBytes(distinct)) : null,
  };
}

function sketchFromBytes(bytes: Uint8Array): QuantileSketch {
  const decoded = readBytes("quantile", () => LogCollapsingLowestDenseDDSketch.fromProto(bytes));
  // Same gamma and index offset as ours, or its bins mean other values.
  const sameMapping = [0, 1000].every(
    (key) => Math.abs(decoded.mapping.value(key) / REFERENCE_MAPPING.value(key) - 1) < 1e-12,
  );
  if (!sameMapping) throw new AggregateStateError(`quantile sketch has gamma ${decoded.mapping.gamma}`);
  return refold(decoded);
}

/** A fresh sketch with our bin limit and exact mapping holding the bins of `decoded`. */
function refold(decoded: QuantileSketch): QuantileSketch {
  const sketch = newSketch();
  foldSketch(sketch, decoded);
  return sketch;
}

/**
 * A state being merged from many stored rows. Quantile bins stay in flat arrays until
 * `finishAccumulator`, so folding a row costs one pass over its bytes (server/core/sketch-bins.ts).
 */
export interface StateAccumulator {
  /** count, sum, min, max and distinct; `quantiles` stays null until finished. */
  state: AggregateState;
  bins: SketchBins | null;
}

export const emptyAccumulator = (): StateAccumulator => ({ state: emptyState(), bins: null });

/** Folds a stored state into `acc`. */
export function accumulateSerialized(acc: StateAccumulator, row: SerializedState): void {
  const target = acc.state;
  target.count += row.count;
  target.sum = addSums(target.sum, row.sum);
  if (row.min !== null && (target.min === null || row.min < target.min)) target.min = row.min;
  if (row.max !== null && (target.max === null || row.max > target.max)) target.max = row.max;
  const { quantiles, distinct } = row;
  if (quantiles) {
    const bins = (acc.bins ??= emptyBins());
    readBytes("quantile", () => foldSketchBytes(bins, quantiles, REFERENCE_PROTO_MAPPING));
  }
  if (distinct) {
    const into = (target.distinct ??= emptyHll());
    readBytes("distinct", () => hllMergeBytesInto(into, distinct));
  }
}

/** Folds accumulator `source` into `target` (mutated). */
export function mergeAccumulators(target: StateAccumulator, source: StateAccumulator): void {
  mergeInto(target.state, source.state);
  if (source.bins) {
    const bins = (target.bins ??= emptyBins());
    bins.positive.mergeFrom(source.bins.positive);
    bins.negative.mergeFrom(source.bins.negative);
    bins.zero += source.bins.zero;
  }
}

/** The merged state, with its quantile sketch built once from the accumulated bins. */
export function finishAccumulator(acc: StateAccumulator): AggregateState {
  const { bins } = acc;
  if (!bins) return acc.state;
  const sketch = newSketch();
  // Outermost bins first: the store sizes itself once instead of shifting for every new key.
  bins.positive.forEachOutsideIn((key, weight) => sketch.store.add(key, weight));
  bins.negative.forEachOutsideIn((key, weight) => sketch.negativeStore.add(key, weight));
  sketch.zeroCount = bins.zero;
  sketch.count = bins.positive.total + bins.negative.total + bins.zero;
  return { ...acc.state, quantiles: sketch };
}

function readBytes<T>(what: string, read: () => T): T {
  try {
    return read();
  } catch (cause) {
    throw new AggregateStateError(`unreadable ${what} sketch`, { cause });
  }
}

/**
 * Figures for display. Percentiles use DDSketch's rank: the value at sorted index
 * floor(q·(n−1)) (0-based), within 1 % relative error, clamped into the exact [min, max] so
 * p0/p100 and single-value buckets are exact.
 */
export function summarize(state: AggregateState): StateSummary {
  const { count, sum, min, max, quantiles } = state;
  const valueCount = quantiles?.count ?? 0;
  const at = (q: number): number | null =>
    quantiles && valueCount > 0 && min !== null && max !== null
      ? Math.min(max, Math.max(min, quantiles.getValueAtQuantile(q)))
      : null;
  return {
    count,
    sum,
    avg: valueCount > 0 ? sum / valueCount : null,
    min,
    max,
    p50: at(0.5),
    p90: at(0.9),
    p95: at(0.95),
    p99: at(0.99),
    distinct: state.distinct ? Math.round(hllEstimate(state.distinct)) : 0,
  };
}

/**
 * `summarize(finishAccumulator(acc))` without building the sketch: the same DDSketch rank rule
 * (rank q·(n−1), negative bins from the top, then zeros, then positive bins) over the flat bins.
 * Falls back to the sketch when the bins span more than the store's limit (it would collapse).
 */
export function summarizeAccumulator(acc: StateAccumulator): StateSummary {
  const { bins } = acc;
  if (!bins || bins.positive.span() > BIN_LIMIT || bins.negative.span() > BIN_LIMIT) {
    return summarize(finishAccumulator(acc));
  }
  const { count, sum, min, max } = acc.state;
  const valueCount = bins.positive.total + bins.negative.total + bins.zero;
  const quantiles = valueCount > 0 && min !== null && max !== null ? binQuantiles(bins, valueCount) : null;
  const clamp = (value: number | undefined): number | null =>
    quantiles && value !== undefined && min !== null && max !== null
      ? Math.min(max, Math.max(min, value))
      : null;
  return {
    count,
    sum,
    avg: valueCount > 0 ? sum / valueCount : null,
    min,
    max,
    p50: clamp(quantiles?.[0]),
    p90: clamp(quantiles?.[1]),
    p95: clamp(quantiles?.[2]),
    p99: clamp(quantiles?.[3]),
    distinct: acc.state.distinct ? Math.round(hllEstimate(acc.state.distinct)) : 0,
  };
}

const SUMMARY_QUANTILES = [0.5, 0.9, 0.95, 0.99];

/** Values at SUMMARY_QUANTILES by DDSketch's getValueAtQuantile rule, in one pass per store. */
function binQuantiles(bins: SketchBins, valueCount: number): number[] {
  const negative = bins.negative.total;
  const ranks = SUMMARY_QUANTILES.map((q) => q * (valueCount - 1));
  const values: number[] = [];
  const negativeRanks = ranks.filter((rank) => rank < negative);
  // Negative bins are walked from the most negative value: reversed ranks, descending order.
  const negativeKeys = bins.negative
    .keysAtRanks(negativeRanks.map((rank) => negative - rank - 1).reverse(), false)
    .reverse();
  negativeKeys.forEach((key) => values.push(-REFERENCE_MAPPING.value(key)));
  const zeroRanks = ranks.filter((rank) => rank >= negative && rank < negative + bins.zero);
  zeroRanks.forEach(() => values.push(0));
  const positiveRanks = ranks.filter((rank) => rank >= negative + bins.zero);
  const positiveKeys = bins.positive.keysAtRanks(
    positiveRanks.map((rank) => rank - bins.zero - negative),
    true,
  );
  positiveKeys.forEach((key) => values.push(REFERENCE_MAPPING.value(key)));
  return values;
}
