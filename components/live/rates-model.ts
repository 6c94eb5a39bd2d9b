import type { LiveBatch, RatesSnapshot } from "../../server/contract";

/**
 * Client-side state of the live rates view: per-second counts by type plus, per processor
 * consumer, the last batch applied. Pure functions; the hook stores results in the query cache.
 */
export interface RatesState {
  consumers: Record<string, { batchSeq: number; total: number }>;
  /** Count per `${bucketStart}|${type}`. */
  counts: Record<string, number>;
  /** True when a batch sequence was skipped: the view must resync from a fresh snapshot. */
  gap: boolean;
}

const key = (t: number, type: string) => `${t}|${type}`;

export function fromSnapshot(snapshot: RatesSnapshot): RatesState {
  const counts: Record<string, number> = {};
  for (const rate of snapshot.rates) counts[key(rate.t, rate.type)] = rate.count;
  return { consumers: { ...snapshot.consumers }, counts, gap: false };
}

/**
 * Applies pushed batches: a batch already reflected (same or lower sequence) is ignored, so
 * updates that raced the snapshot or arrived twice never double-count.
 */
export function applyBatches(state: RatesState, batches: readonly LiveBatch[]): RatesState {
  let next = state;
  for (const batch of [...batches].sort((a, b) => a.batchSeq - b.batchSeq)) {
    const known = next.consumers[batch.consumer]?.batchSeq ?? 0;
    if (batch.batchSeq <= known) continue;
    if (next === state)
      next = { consumers: { ...state.consumers }, counts: { ...state.counts }, gap: state.gap };
    if (batch.batchSeq > known + 1) next.gap = true;
    next.consumers[batch.consumer] = { batchSeq: batch.batchSeq, total: batch.total };
    for (const rate of batch.rates) {
      const k = key(rate.t, rate.type);
      next.counts[k] = (next.counts[k] ?? 0) + rate.count;
    }
  }
  return next;
}

/** Events stored in total: the sum over consumers (equals count(*) of raw events). */
export function totalEvents(state: RatesState): number {
  return Object.values(state.consumers).reduce((sum, c) => sum + c.total, 0);
}

/** Drops buckets older than `from` so a long-open page stays small. */
export function prune(state: RatesState, from: number): RatesState {
  const counts: Record<string, number> = {};
  for (const [k, v] of Object.entries(state.counts)) if (Number(k.split("|")[0]) >= from) counts[k] = v;
  return { ...state, counts };
}

export interface SeriesPoint {
  t: number;
  [type: string]: number;
}

/** Zero-filled per-second series for [from, to), one numeric field per type. */
export function rateSeries(
  state: RatesState,
  from: number,
  to: number,
): { types: string[]; points: SeriesPoint[] } {
  const types = new Set<string>();
  for (const k of Object.keys(state.counts)) {
    const [t, type] = k.split("|") as [string, string];
    if (Number(t) >= from && Number(t) < to) types.add(type);
  }
  const sorted = [...types].sort();
  const points: SeriesPoint[] = [];
  for (let t = from; t < to; t += 1000) {
    const point: SeriesPoint = { t };
    for (const type of sorted) point[type] = state.counts[key(t, type)] ?? 0;
    points.push(point);
  }
  return { types: sorted, points };
}

/** Events per type within [from, to). */
export function countsByType(state: RatesState, from: number, to: number): Record<string, number> {
  const totals: Record<string, number> = {};
  for (const [k, v] of Object.entries(state.counts)) {
    const [t, type] = k.split("|") as [string, string];
    if (Number(t) >= from && Number(t) < to) totals[type] = (totals[type] ?? 0) + v;
  }
  return totals;
}
