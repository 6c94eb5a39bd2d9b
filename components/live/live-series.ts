import {
  currentState,
  OTHER_GROUP,
  RESOLUTION_MS,
  SNAPSHOT_SPAN_MS,
  type BucketState,
  type LiveSnapshot,
  type LiveUpdate,
  type MetricBucket,
  type Resolution,
} from "../../server/contract";

/**
 * Client state of one live subscription: its buckets by (start, group), the last update
 * sequence applied and the watermark. Pure functions; the hook keeps results in the query cache.
 */
export interface SeriesState {
  subscription: string;
  resolution: Resolution;
  seq: number;
  watermark: number | null;
  buckets: Record<string, MetricBucket>;
}

const key = (b: { bucketStart: number; groupKey: string }) => `${b.bucketStart}|${b.groupKey}`;

/**
 * Puts pushed buckets over held ones. Every bucket start a push names comes whole (for a
 * grouped series: its top groups and "(other)"), so what the client held for that start is
 * replaced, not merged: a group that fell into "(other)" is not also kept on its own.
 */
function overlay(target: Record<string, MetricBucket>, buckets: readonly MetricBucket[]): void {
  const starts = new Set(buckets.map((b) => b.bucketStart));
  for (const [k, bucket] of Object.entries(target)) if (starts.has(bucket.bucketStart)) delete target[k];
  for (const bucket of buckets) target[key(bucket)] = bucket;
}

/**
 * Starts (or, after a reconnect, restarts) a series from a snapshot. Updates that arrived
 * before the snapshot are applied if they are newer than it; buckets the client already had
 * from before the snapshot's span are kept, those inside it are replaced, so a reconnect
 * leaves neither a hole nor a double point.
 */
export function fromSnapshot(
  snapshot: LiveSnapshot,
  early: readonly LiveUpdate[] = [],
  previous?: SeriesState,
): SeriesState {
  const buckets: Record<string, MetricBucket> = {};
  if (previous) {
    // The snapshot is authoritative from its first bucket (or its span start) on.
    const spanStart = (snapshot.watermark ?? snapshot.serverTime) - SNAPSHOT_SPAN_MS[snapshot.resolution];
    const cutoff = Math.min(spanStart, snapshot.buckets[0]?.bucketStart ?? spanStart);
    for (const bucket of Object.values(previous.buckets))
      if (bucket.bucketStart < cutoff) buckets[key(bucket)] = bucket;
  }
  overlay(buckets, snapshot.buckets);
  let state: SeriesState = {
    subscription: snapshot.subscription,
    resolution: snapshot.resolution,
    seq: snapshot.seq,
    watermark: snapshot.watermark,
    buckets,
  };
  for (const update of [...early].sort((a, b) => a.seq - b.seq)) state = applyUpdate(state, update).state;
  return state;
}

/**
 * Applies one pushed update. Older or repeated sequence numbers are ignored; a skipped one
 * is applied (each bucket carries its full summary) and reported, so the caller resubscribes.
 */
export function applyUpdate(state: SeriesState, update: LiveUpdate): { state: SeriesState; gap: boolean } {
  if (update.subscription !== state.subscription || update.seq <= state.seq) return { state, gap: false };
  const buckets = { ...state.buckets };
  overlay(buckets, update.buckets);
  return {
    state: { ...state, seq: update.seq, watermark: update.watermark ?? state.watermark, buckets },
    gap: update.seq > state.seq + 1,
  };
}

/** Drops buckets that start before `from`. */
export function prune(state: SeriesState, from: number): SeriesState {
  const buckets: Record<string, MetricBucket> = {};
  for (const [k, bucket] of Object.entries(state.buckets))
    if (bucket.bucketStart >= from) buckets[k] = bucket;
  return { ...state, buckets };
}

/** One bucket slot of a chart: the bucket (or null where nothing happened) and its state now. */
export interface Slot {
  t: number;
  bucket: MetricBucket | null;
  state: BucketState;
}

/** Every bucket slot of one group within [from, to), in time order, including empty ones. */
export function slots(state: SeriesState, from: number, to: number, groupKey = ""): Slot[] {
  const size = RESOLUTION_MS[state.resolution];
  const out: Slot[] = [];
  for (let t = Math.floor(from / size) * size; t < to; t += size) {
    const bucket = state.buckets[`${t}|${groupKey}`] ?? null;
    const open = state.watermark === null || t + size > state.watermark;
    out.push({
      t,
      bucket,
      state: bucket ? currentState(bucket, state.watermark) : open ? "open" : "final",
    });
  }
  return out;
}

/** One row of a top-N list; `other` marks the row of everything not listed. */
export interface GroupCount {
  group: string;
  count: number;
  other?: true;
}

/**
 * Sums of counts per group over [from, to), largest first (ties by name), at most `limit`;
 * then one "(other)" row with the rest — the server's "(other)" buckets plus the named groups
 * beyond the limit — so the list adds up to the total. No "(other)" row when nothing is left.
 */
export function topGroups(state: SeriesState, from: number, to: number, limit: number): GroupCount[] {
  const totals = new Map<string, number>();
  let rest = 0;
  for (const bucket of Object.values(state.buckets)) {
    if (bucket.groupKey === "" || bucket.bucketStart < from || bucket.bucketStart >= to) continue;
    if (bucket.groupKey === OTHER_GROUP) rest += bucket.summary.count;
    else totals.set(bucket.groupKey, (totals.get(bucket.groupKey) ?? 0) + bucket.summary.count);
  }
  const ranked = [...totals]
    .map(([group, count]) => ({ group, count }))
    .sort((a, b) => b.count - a.count || (a.group < b.group ? -1 : 1));
  for (const row of ranked.slice(limit)) rest += row.count;
  const top: GroupCount[] = ranked.slice(0, limit);
  return rest > 0 ? [...top, { group: OTHER_GROUP, count: rest, other: true }] : top;
}
