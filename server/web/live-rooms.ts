import {
  LiveSubscribe,
  subscriptionId,
  type LiveUpdate,
  type MetricBucket,
  type MetricDefinition,
} from "../contract";
import type { LiveStore } from "../core/live-store";
import { UpdateCoalescer } from "../core/update-coalescer";

/**
 * The bridge between the live store and the subscription rooms: which rooms a batch touched,
 * the numbered updates of each push (read once per room, whatever the number of sockets in it:
 * a broadcast is encoded once), and snapshots shared by every socket asking for the same
 * subscription while the store is unchanged.
 */
export interface LiveRooms {
  touch(buckets: readonly MetricBucket[]): void;
  touchAll(rooms: Iterable<string>): void;
  flush(activeRooms: ReadonlySet<string>): LiveUpdate[];
  /** The snapshot's buckets; the same array for every caller until the store changes. */
  snapshot(subscription: LiveSubscribe): readonly MetricBucket[];
  seq(room: string): number;
}

export function createLiveRooms(store: LiveStore, definitions: () => readonly MetricDefinition[]): LiveRooms {
  const coalescer = new UpdateCoalescer();
  const shared = new Map<string, { version: number; buckets: readonly MetricBucket[] }>();

  const parse = (room: string): LiveSubscribe | null => {
    const [metric = "", resolution, groupBy] = room.split("|");
    const parsed = LiveSubscribe.safeParse({ metric, resolution, ...(groupBy ? { groupBy } : {}) });
    return parsed.success ? parsed.data : null;
  };

  return {
    touch(buckets) {
      const groupBy = new Map(definitions().map((d) => [d.name, d.groupBy]));
      for (const bucket of buckets) {
        const grouped = groupBy.get(bucket.metric);
        const base = { metric: bucket.metric, resolution: bucket.resolution };
        if (bucket.groupKey === "") coalescer.add(subscriptionId(base), bucket.bucketStart);
        // The all-groups bucket feeds the grouped room's "(other)", so it touches that room too.
        if (grouped) coalescer.add(subscriptionId({ ...base, groupBy: grouped }), bucket.bucketStart);
      }
    },
    touchAll(rooms) {
      for (const room of rooms) coalescer.addAll(room);
    },
    flush(activeRooms) {
      return coalescer.flush(activeRooms, store.watermark(), (room, starts) => {
        const subscription = parse(room);
        if (!subscription) return [];
        const grouped = subscription.groupBy !== undefined;
        return store.select(subscription.metric, subscription.resolution, grouped, starts ?? undefined);
      });
    },
    snapshot(subscription) {
      const id = subscriptionId(subscription);
      const cached = shared.get(id);
      if (cached?.version === store.version) return cached.buckets;
      const grouped = subscription.groupBy !== undefined;
      const buckets = store.select(subscription.metric, subscription.resolution, grouped);
      shared.set(id, { version: store.version, buckets });
      return buckets;
    },
    seq: (room) => coalescer.seq(room),
  };
}
