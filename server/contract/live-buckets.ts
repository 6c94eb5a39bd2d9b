import { z } from "zod";
import { LiveBatch, MetricBucket } from "./live";
import { LiveSnapshot, LiveUpdate, SocketError } from "./socket";

/**
 * Bucket-by-bucket reading of live messages: one malformed bucket (a figure that is not a
 * finite number, an unknown state, a newer writer's shape) is dropped and reported, and the
 * rest of its batch, snapshot or update is kept. The envelope itself must still be valid.
 */
export interface DroppedBucket {
  index: number;
  /** The first problem found, e.g. `summary.sum: Invalid input: expected number, received null`. */
  issue: string;
}

export interface ParsedLive<T> {
  value: T;
  dropped: DroppedBucket[];
}

/** Keeps the buckets that are valid MetricBuckets, in order; reports the others. */
export function parseBuckets(raw: readonly unknown[]): ParsedLive<MetricBucket[]> {
  const buckets: MetricBucket[] = [];
  const dropped: DroppedBucket[] = [];
  raw.forEach((item, index) => {
    const parsed = MetricBucket.safeParse(item);
    if (parsed.success) buckets.push(parsed.data);
    else {
      const issue = parsed.error.issues[0];
      dropped.push({ index, issue: `${issue?.path.join(".") ?? ""}: ${issue?.message ?? "invalid"}` });
    }
  });
  return { value: buckets, dropped };
}

const AnyBuckets = { buckets: z.array(z.unknown()) };
const BatchEnvelope = LiveBatch.extend(AnyBuckets);
const UpdateEnvelope = LiveUpdate.extend(AnyBuckets);
const AckEnvelope = z.discriminatedUnion("ok", [
  z.object({ ok: z.literal(true), snapshot: LiveSnapshot.extend(AnyBuckets) }),
  z.object({ ok: z.literal(false), error: SocketError }),
]);

/** A processor's live batch (`<ns>.live.events`); null when its envelope is malformed. */
export function parseLiveBatch(body: unknown): ParsedLive<LiveBatch> | null {
  const envelope = BatchEnvelope.safeParse(body);
  if (!envelope.success) return null;
  const { value: buckets, dropped } = parseBuckets(envelope.data.buckets);
  return { value: { ...envelope.data, buckets }, dropped };
}

/** A `live:update`; null when its envelope is malformed. */
export function parseLiveUpdate(raw: unknown): ParsedLive<LiveUpdate> | null {
  const envelope = UpdateEnvelope.safeParse(raw);
  if (!envelope.success) return null;
  const { value: buckets, dropped } = parseBuckets(envelope.data.buckets);
  return { value: { ...envelope.data, buckets }, dropped };
}

export type ParsedAck =
  { ok: true; snapshot: LiveSnapshot; dropped: DroppedBucket[] } | { ok: false; error: SocketError };

/** A `live:subscribe` ack; null when its envelope is malformed. */
export function parseSubscribeAck(raw: unknown): ParsedAck | null {
  const envelope = AckEnvelope.safeParse(raw);
  if (!envelope.success) return null;
  if (!envelope.data.ok) return envelope.data;
  const { value: buckets, dropped } = parseBuckets(envelope.data.snapshot.buckets);
  return { ok: true, snapshot: { ...envelope.data.snapshot, buckets }, dropped };
}
