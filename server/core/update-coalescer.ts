import type { LiveUpdate, MetricBucket } from "../contract";

/**
 * Collects changed buckets per subscription room between pushes and turns them into numbered
 * updates: a bucket changed several times in one interval is sent once, as it stands last.
 * A room also gets an update when only the watermark moved (open buckets turn final). Pure.
 */
export class UpdateCoalescer {
  private readonly pending = new Map<string, Map<string, MetricBucket>>();
  private readonly seqs = new Map<string, number>();
  private readonly sentWatermark = new Map<string, number | null>();

  add(room: string, bucket: MetricBucket): void {
    let buckets = this.pending.get(room);
    if (!buckets) {
      buckets = new Map();
      this.pending.set(room, buckets);
    }
    buckets.set(`${bucket.bucketStart}|${bucket.groupKey}`, bucket);
  }

  /** Sequence number of the last update of `room` (0 before the first). */
  seq(room: string): number {
    return this.seqs.get(room) ?? 0;
  }

  /**
   * Updates for the rooms that have members; pending changes of rooms nobody is in are
   * dropped (a later subscriber starts from a snapshot).
   */
  flush(activeRooms: ReadonlySet<string>, watermark: number | null): LiveUpdate[] {
    const updates: LiveUpdate[] = [];
    for (const room of activeRooms) {
      const buckets = this.pending.get(room);
      const watermarkMoved = this.sentWatermark.get(room) !== watermark;
      if (!buckets && !watermarkMoved) continue;
      const seq = this.seq(room) + 1;
      this.seqs.set(room, seq);
      this.sentWatermark.set(room, watermark);
      updates.push({
        subscription: room,
        seq,
        watermark,
        buckets: buckets
          ? [...buckets.values()].sort(
              (a, b) => a.bucketStart - b.bucketStart || (a.groupKey < b.groupKey ? -1 : 1),
            )
          : [],
      });
    }
    this.pending.clear();
    return updates;
  }
}
