import type { BucketState } from "../contract";
import { mergeInto, type AggregateState } from "./aggregate-state";
import { bucketStatus, deltaKey, type MetricDelta } from "./engine";

export const LIVE_BUCKET_MS = 10_000;

export interface LiveWindowOptions {
  bucketMs: number;
  /** How far behind the watermark buckets are kept (the live chart's span). */
  retentionMs: number;
  /** Upper bound on states held; the oldest buckets go first when it is reached. */
  maxStates: number;
}

export const DEFAULT_LIVE_WINDOWS: LiveWindowOptions = {
  bucketMs: LIVE_BUCKET_MS,
  retentionMs: 15 * 60_000,
  maxStates: 200_000,
};

interface Entry {
  metric: string;
  bucketStart: number;
  groupKey: string;
  state: AggregateState;
  revised: boolean;
}

export interface LiveBucket {
  metric: string;
  bucketStart: number;
  groupKey: string;
  state: AggregateState;
  status: BucketState;
}

/**
 * The 10-second live tier: recent buckets held in memory only (the 1-minute tier is the
 * persisted one). Pure and bounded: time comes in as the watermark, and memory is capped by
 * `maxStates` and by dropping buckets older than the retention.
 */
export class LiveWindows {
  private readonly entries = new Map<string, Entry>();
  private lastHorizon = Number.NEGATIVE_INFINITY;
  /** States dropped to respect `maxStates` (not by age): a sign the cap is too small. */
  evictedForCapacity = 0;

  constructor(readonly options: LiveWindowOptions = DEFAULT_LIVE_WINDOWS) {}

  get size(): number {
    return this.entries.size;
  }

  /**
   * Merges deltas of the 10 s tier; returns the touched buckets as they now stand. A bucket is
   * revised when it changes after it was shown as final, i.e. its end was already behind
   * `publishedWatermark` (the watermark of the previous batch); a batch that itself moves
   * the watermark past a bucket does not revise it.
   */
  apply(
    deltas: readonly MetricDelta[],
    watermark: number | null,
    publishedWatermark: number | null = watermark,
  ): LiveBucket[] {
    const touched: Entry[] = [];
    for (const delta of deltas) {
      const key = deltaKey(delta.metric, delta.bucketStart, delta.groupKey);
      let entry = this.entries.get(key);
      if (!entry) {
        entry = {
          metric: delta.metric,
          bucketStart: delta.bucketStart,
          groupKey: delta.groupKey,
          state: delta.state,
          revised: false,
        };
        this.entries.set(key, entry);
      } else {
        mergeInto(entry.state, delta.state);
      }
      if (publishedWatermark !== null && delta.bucketStart + this.options.bucketMs <= publishedWatermark)
        entry.revised = true;
      touched.push(entry);
    }
    this.evict(watermark);
    return touched
      .filter((e) => this.entries.has(deltaKey(e.metric, e.bucketStart, e.groupKey)))
      .map((e) => this.view(e, watermark));
  }

  /** Buckets of `metric` (all groups) from `from` on, for snapshots. */
  buckets(metric: string, from: number, watermark: number | null): LiveBucket[] {
    const out: LiveBucket[] = [];
    for (const entry of this.entries.values()) {
      if (entry.metric === metric && entry.bucketStart >= from) out.push(this.view(entry, watermark));
    }
    return out.sort(
      (a, b) =>
        a.bucketStart - b.bucketStart || (a.groupKey < b.groupKey ? -1 : a.groupKey > b.groupKey ? 1 : 0),
    );
  }

  private view(entry: Entry, watermark: number | null): LiveBucket {
    return {
      metric: entry.metric,
      bucketStart: entry.bucketStart,
      groupKey: entry.groupKey,
      state: entry.state,
      status: bucketStatus(entry.bucketStart, this.options.bucketMs, watermark, entry.revised),
    };
  }

  private evict(watermark: number | null): void {
    // Scan for old buckets only when the horizon crosses a bucket boundary, not every batch.
    const horizon = watermark === null ? null : watermark - this.options.retentionMs;
    if (horizon !== null && horizon - this.lastHorizon >= this.options.bucketMs) {
      this.lastHorizon = horizon;
      for (const [key, entry] of this.entries)
        if (entry.bucketStart + this.options.bucketMs < horizon) this.entries.delete(key);
    }
    if (this.entries.size <= this.options.maxStates) return;
    const byAge = [...this.entries].sort((a, b) => a[1].bucketStart - b[1].bucketStart);
    for (const [key] of byAge.slice(0, this.entries.size - this.options.maxStates)) {
      this.entries.delete(key);
      this.evictedForCapacity += 1;
    }
  }
}
