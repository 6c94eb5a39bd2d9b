import type { LiveUpdate, MetricBucket } from "../contract";

/** Reads the current buckets of a room: of these bucket starts, or all of them (`null`). */
export type ReadRoom = (room: string, starts: readonly number[] | null) => MetricBucket[];

/**
 * Collects which bucket starts of each subscription room changed between pushes and turns them
 * into numbered updates, read as they stand at push time: a bucket changed several times in
 * one interval is sent once, as it stands last, and each named start is sent whole (every
 * group of it), so the client can replace that start. A room also gets an update when only
 * the watermark moved (open buckets turn final). Pure: the buckets come from `read`.
 */
export class UpdateCoalescer {
  private readonly pending = new Map<string, Set<number> | "all">();
  private readonly seqs = new Map<string, number>();
  private readonly sentWatermark = new Map<string, number | null>();

  add(room: string, bucketStart: number): void {
    const starts = this.pending.get(room);
    if (starts === "all") return;
    if (starts) starts.add(bucketStart);
    else this.pending.set(room, new Set([bucketStart]));
  }

  /** Everything in the room may have changed (a re-seed). */
  addAll(room: string): void {
    this.pending.set(room, "all");
  }

  /** Sequence number of the last update of `room` (0 before the first). */
  seq(room: string): number {
    return this.seqs.get(room) ?? 0;
  }

  /**
   * Updates for the rooms that have members; pending changes of rooms nobody is in are
   * dropped (a later subscriber starts from a snapshot).
   */
  flush(activeRooms: ReadonlySet<string>, watermark: number | null, read: ReadRoom): LiveUpdate[] {
    const updates: LiveUpdate[] = [];
    for (const room of activeRooms) {
      const starts = this.pending.get(room);
      const buckets = starts ? read(room, starts === "all" ? null : [...starts].sort((a, b) => a - b)) : [];
      const watermarkMoved = this.sentWatermark.get(room) !== watermark;
      if (buckets.length === 0 && !watermarkMoved) continue;
      const seq = this.seq(room) + 1;
      this.seqs.set(room, seq);
      this.sentWatermark.set(room, watermark);
      updates.push({ subscription: room, seq, watermark, buckets });
    }
    this.pending.clear();
    return updates;
  }
}
