import {
  accumulateSerialized,
  emptyAccumulator,
  mergeAccumulators,
  summarizeAccumulator,
  type SerializedState,
  type StateAccumulator,
} from "../aggregate-state";
import { OTHER_GROUP } from "../../contract/history";
import type { BucketState, Summary } from "../../contract/live";

/** A stored rollup row of any tier, as read for a history query. */
export interface StoredRow {
  bucketStart: number;
  groupKey: string;
  state: SerializedState;
  revisions: number;
}

/** Merged state of one bucket of one group. */
export interface BucketAccumulator {
  merged: StateAccumulator;
  revised: boolean;
}

/** Per group, one accumulator per bucket (index i = bucket [bᵢ, bᵢ₊₁)). */
export type GroupedBuckets = Map<string, BucketAccumulator[]>;

/** Index of the bucket containing `ts`, or -1 outside the boundaries. */
export function bucketIndex(boundaries: readonly number[], ts: number): number {
  let lo = 0;
  let hi = boundaries.length - 1;
  if (hi < 1 || ts < (boundaries[0] ?? 0) || ts >= (boundaries[hi] ?? 0)) return -1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if ((boundaries[mid] ?? 0) <= ts) lo = mid;
    else hi = mid;
  }
  return lo;
}

const emptyBucket = (): BucketAccumulator => ({ merged: emptyAccumulator(), revised: false });

/** Merges rows of any tiers into their buckets; rows outside the boundaries are ignored. */
export function mergeRows(boundaries: readonly number[], rows: Iterable<StoredRow>): GroupedBuckets {
  const buckets = boundaries.length - 1;
  const groups: GroupedBuckets = new Map();
  for (const row of rows) {
    const index = bucketIndex(boundaries, row.bucketStart);
    if (index < 0) continue;
    let series = groups.get(row.groupKey);
    if (!series) {
      series = Array.from({ length: buckets }, emptyBucket);
      groups.set(row.groupKey, series);
    }
    const bucket = series[index] ?? emptyBucket();
    accumulateSerialized(bucket.merged, row.state);
    if (row.revisions > 0) bucket.revised = true;
  }
  return groups;
}

/**
 * Keeps the `limit` groups with the highest count over the range (ties by name) and folds
 * every other group, bucket by bucket, into OTHER_GROUP: their states are merged, so the
 * "other" percentiles are true percentiles of those events.
 */
export function topGroups(
  groups: GroupedBuckets,
  limit: number,
): { order: string[]; groups: GroupedBuckets } {
  const totals = [...groups].map(([key, series]) => ({
    key,
    count: series.reduce((sum, bucket) => sum + bucket.merged.state.count, 0),
  }));
  totals.sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const kept = totals.slice(0, limit).map((t) => t.key);
  const rest = totals.slice(limit).map((t) => t.key);
  const result: GroupedBuckets = new Map(kept.map((key) => [key, groups.get(key) ?? []]));
  if (rest.length === 0) return { order: kept, groups: result };
  const first = groups.get(rest[0] ?? "") ?? [];
  const other = first.map(emptyBucket);
  for (const key of rest) {
    (groups.get(key) ?? []).forEach((bucket, i) => {
      const into = other[i];
      if (!into) return;
      mergeAccumulators(into.merged, bucket.merged);
      into.revised ||= bucket.revised;
    });
  }
  result.set(OTHER_GROUP, other);
  return { order: [...kept, OTHER_GROUP], groups: result };
}

/** `open` until the watermark passes `end`, then `final`, or `revised` once changed after that. */
export function pointState(end: number, watermark: number | null, revised: boolean): BucketState {
  if (watermark === null || end > watermark) return "open";
  return revised ? "revised" : "final";
}

/** Display figures plus state of one merged bucket. */
export function figures(
  bucket: BucketAccumulator | undefined,
  end: number,
  watermark: number | null,
): Summary & { state: BucketState } {
  const accumulated = bucket ?? emptyBucket();
  return {
    ...summarizeAccumulator(accumulated.merged),
    state: pointState(end, watermark, accumulated.revised),
  };
}
