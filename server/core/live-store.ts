import {
  currentState,
  LIVE_GROUP_LIMIT,
  RESOLUTION_MS,
  SNAPSHOT_SPAN_MS,
  type LiveBatch,
  type MetricBucket,
  type Resolution,
} from "../contract";
import { remainder, TopGroups } from "./top-groups";

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

/** One metric at one resolution: the all-groups bucket and the capped groups per bucket start. */
interface Series {
  totals: Map<number, MetricBucket>;
  groups: Map<number, { resolution: Resolution; top: TopGroups }>;
}

/**
 * The web role's copy of the recent 10 s and 1 min buckets, fed by processor batches. Every
 * pushed bucket carries its full summary, so applying means replacing; the per-consumer batch
 * sequence tells which batches a seed already holds. Per bucket start it keeps the all-groups
 * bucket and at most `groupLimit` groups (the top by count, top-groups.ts): memory and
 * snapshots stay bounded whatever the cardinality. Pure: time comes in as the watermark.
 */
export class LiveStore {
  private readonly series = new Map<string, Series>();
  private readonly consumers = new Map<string, ConsumerMark>();
  private changes = 0;

  constructor(private readonly groupLimit = LIVE_GROUP_LIMIT) {}

  /** Grows with every change (seed, batch, prune): equal versions mean equal snapshots. */
  get version(): number {
    return this.changes;
  }

  seed(seed: LiveSeed): void {
    this.changes++;
    this.series.clear();
    this.consumers.clear();
    for (const [name, mark] of Object.entries(seed.consumers)) this.consumers.set(name, { ...mark });
    for (const bucket of seed.buckets) this.put(bucket);
  }

  apply(batch: LiveBatch): ApplyOutcome {
    const known = this.consumers.get(batch.consumer)?.batchSeq ?? 0;
    if (batch.batchSeq <= known) return { kind: "stale" };
    this.changes++;
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

  /**
   * Buckets of one series in time order: the all-groups row, or per bucket start the top groups
   * (largest first) and `(other)`. `starts` limits the answer to those bucket starts.
   */
  select(
    metric: string,
    resolution: Resolution,
    grouped: boolean,
    starts?: Iterable<number>,
  ): MetricBucket[] {
    const series = this.series.get(seriesKey(metric, resolution));
    if (!series) return [];
    const wanted = [...new Set(starts ?? (grouped ? series.groups.keys() : series.totals.keys()))];
    const watermark = this.watermark();
    const out: MetricBucket[] = [];
    for (const start of wanted.sort((a, b) => a - b)) {
      const total = series.totals.get(start);
      const buckets = grouped ? this.groupsAt(series, start, total) : total ? [total] : [];
      for (const bucket of buckets) out.push({ ...bucket, state: currentState(bucket, watermark) });
    }
    return out;
  }

  /** Drops buckets that have left the snapshot span behind the watermark. */
  prune(): number {
    const watermark = this.watermark();
    if (watermark === null) return 0;
    let dropped = 0;
    for (const series of this.series.values()) {
      for (const [start, total] of series.totals)
        if (start < horizon(watermark, total.resolution)) {
          series.totals.delete(start);
          dropped += 1;
        }
      for (const [start, groups] of series.groups)
        if (start < horizon(watermark, groups.resolution)) {
          series.groups.delete(start);
          dropped += groups.top.size;
        }
    }
    if (dropped > 0) this.changes++;
    return dropped;
  }

  get size(): number {
    let n = 0;
    for (const series of this.series.values()) {
      n += series.totals.size;
      for (const groups of series.groups.values()) n += groups.top.size;
    }
    return n;
  }

  private groupsAt(series: Series, start: number, total: MetricBucket | undefined): MetricBucket[] {
    const ranked = series.groups.get(start)?.top.ranked() ?? [];
    const other = total && ranked.length > 0 ? remainder(total, ranked) : null;
    return other ? [...ranked, other] : ranked;
  }

  private put(bucket: MetricBucket): void {
    const key = seriesKey(bucket.metric, bucket.resolution);
    let series = this.series.get(key);
    if (!series) {
      series = { totals: new Map(), groups: new Map() };
      this.series.set(key, series);
    }
    if (bucket.groupKey === "") {
      series.totals.set(bucket.bucketStart, bucket);
      return;
    }
    let groups = series.groups.get(bucket.bucketStart);
    if (!groups) {
      groups = { resolution: bucket.resolution, top: new TopGroups(this.groupLimit) };
      series.groups.set(bucket.bucketStart, groups);
    }
    groups.top.offer(bucket);
  }
}

function horizon(watermark: number, resolution: Resolution): number {
  return watermark - SNAPSHOT_SPAN_MS[resolution] - RESOLUTION_MS[resolution];
}
