import { OTHER_GROUP, type MetricBucket, type Summary } from "../contract";

/**
 * The groups of one bucket start, capped at `limit`: exactly the top `limit` by current count.
 * Exact, not an estimate, because every pushed bucket carries the group's full count and counts
 * only grow within a bucket: a group kept out (or evicted) has a count no higher than the
 * smallest kept one, and whenever it grows it arrives again with its full count and competes.
 * Pure.
 */
export class TopGroups {
  private readonly kept = new Map<string, MetricBucket>();

  constructor(private readonly limit: number) {}

  /** Offers a group's current bucket; keeps it if it is (now) among the top. */
  offer(bucket: MetricBucket): void {
    // A real group named like the remainder would collide with it: it is counted in the remainder.
    if (bucket.groupKey === OTHER_GROUP) return;
    if (this.kept.has(bucket.groupKey) || this.kept.size < this.limit) {
      this.kept.set(bucket.groupKey, bucket);
      return;
    }
    let smallest: MetricBucket | undefined;
    for (const kept of this.kept.values())
      if (!smallest || kept.summary.count < smallest.summary.count) smallest = kept;
    if (smallest && bucket.summary.count > smallest.summary.count) {
      this.kept.delete(smallest.groupKey);
      this.kept.set(bucket.groupKey, bucket);
    }
  }

  /** The kept groups, largest count first (ties by name). */
  ranked(): MetricBucket[] {
    return [...this.kept.values()].sort(
      (a, b) =>
        b.summary.count - a.summary.count || (a.groupKey < b.groupKey ? -1 : a.groupKey > b.groupKey ? 1 : 0),
    );
  }

  get size(): number {
    return this.kept.size;
  }
}

const nothing: Omit<Summary, "count" | "sum" | "avg"> = {
  min: null,
  max: null,
  p50: null,
  p90: null,
  p95: null,
  p99: null,
  distinct: 0,
};

/**
 * `(other)`: everything of `total` (the all-groups bucket) that `shown` does not hold, or null
 * when nothing is left. Count and sum are exact; what needs the values themselves (min, max,
 * percentiles, distinct) cannot be derived from summaries and is left out.
 */
export function remainder(total: MetricBucket, shown: readonly MetricBucket[]): MetricBucket | null {
  let count = total.summary.count;
  let sum = total.summary.sum;
  for (const bucket of shown) {
    count -= bucket.summary.count;
    sum -= bucket.summary.sum;
  }
  if (count <= 0) return null;
  return { ...total, groupKey: OTHER_GROUP, summary: { count, sum, avg: sum / count, ...nothing } };
}
