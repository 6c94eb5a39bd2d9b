import {
  currentState,
  RESOLUTION_MS,
  SNAPSHOT_SPAN_MS,
  type LiveBatch,
  type MetricBucket,
  type Resolution,
} from "../contract";

/** What the store knows of one processor consumer. */
export interface ConsumerMark {
  batchSeq: number;
  watermark: number | null;
  total: number;
  tooLateTotal: number;
}

/** A consistent starting point: buckets and the consumer checkpoints they reflect. */
export interface LiveSeed {
  consumers: Record<string, ConsumerMark>;
  buckets: MetricBucket[];
}

export type ApplyOutcome =
  | { kind: "applied"; touched: MetricBucket[] }
  /** Already contained (sequence at or below the consumer's): ignored. */
  | { kind: "stale" }
  /** Applied, but a batch before it was never seen: the store must be re-seeded. */
  | { kind: "gap"; touched: MetricBucket[] };

const seriesKey = (metric: string, resolution: Resolution) => `${metric}|${resolution}`;
const bucketKey = (bucketStart: number, groupKey: string) => `${bucketStart}|${groupKey}`;

/**
 * The web role's copy of the recent 10 s and 1 min buckets, fed by processor batches. Every
 * pushed bucket carries its full summary, so applying means replacing; the per-consumer batch
 * sequence tells which batches a seed already holds. Pure: time comes in as the watermark.
 */
export class LiveStore {
  private readonly series = new Map<string, Map<string, MetricBucket>>();
  private readonly consumers = new Map<string, ConsumerMark>();

  seed(seed: LiveSeed): void {
    this.series.clear();
    this.consumers.clear();
    for (const [name, mark] of Object.entries(seed.consumers)) this.consumers.set(name, { ...mark });
    for (const bucket of seed.buckets) this.put(bucket);
  }

  apply(batch: LiveBatch): ApplyOutcome {
    const known = this.consumers.get(batch.consumer)?.batchSeq ?? 0;
    if (batch.batchSeq <= known) return { kind: "stale" };
    this.consumers.set(batch.consumer, {
      batchSeq: batch.batchSeq,
      watermark: batch.watermark,
      total: batch.total,
      tooLateTotal: batch.tooLateTotal,
    });
    for (const bucket of batch.buckets) this.put(bucket);
    return { kind: batch.batchSeq > known + 1 ? "gap" : "applied", touched: batch.buckets };
  }

  /** The lowest watermark of the consumers that have one: no bucket is final before all agree. */
  watermark(): number | null {
    let lowest: number | null = null;
    for (const mark of this.consumers.values())
      if (mark.watermark !== null)
        lowest = lowest === null ? mark.watermark : Math.min(lowest, mark.watermark);
    return lowest;
  }

  totals(): { stored: number; tooLate: number } {
    let stored = 0;
    let tooLate = 0;
    for (const mark of this.consumers.values()) {
      stored += mark.total;
      tooLate += mark.tooLateTotal;
    }
    return { stored, tooLate };
  }

  /** Buckets of one series in time order: the all-groups row, or every group's row. */
  select(metric: string, resolution: Resolution, grouped: boolean): MetricBucket[] {
    const watermark = this.watermark();
    const out: MetricBucket[] = [];
    for (const bucket of this.series.get(seriesKey(metric, resolution))?.values() ?? []) {
      if ((bucket.groupKey !== "") !== grouped) continue;
      out.push({ ...bucket, state: currentState(bucket, watermark) });
    }
    return out.sort(
      (a, b) =>
        a.bucketStart - b.bucketStart || (a.groupKey < b.groupKey ? -1 : a.groupKey > b.groupKey ? 1 : 0),
    );
  }

  /** Drops buckets that have left the snapshot span behind the watermark. */
  prune(): number {
    const watermark = this.watermark();
    if (watermark === null) return 0;
    let dropped = 0;
    for (const buckets of this.series.values()) {
      for (const [key, bucket] of buckets) {
        const horizon = watermark - SNAPSHOT_SPAN_MS[bucket.resolution] - RESOLUTION_MS[bucket.resolution];
        if (bucket.bucketStart < horizon) {
          buckets.delete(key);
          dropped += 1;
        }
      }
    }
    return dropped;
  }

  get size(): number {
    let n = 0;
    for (const buckets of this.series.values()) n += buckets.size;
    return n;
  }

  private put(bucket: MetricBucket): void {
    const key = seriesKey(bucket.metric, bucket.resolution);
    let buckets = this.series.get(key);
    if (!buckets) {
      buckets = new Map();
      this.series.set(key, buckets);
    }
    buckets.set(bucketKey(bucket.bucketStart, bucket.groupKey), bucket);
  }
}
