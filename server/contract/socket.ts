import { z } from "zod";
import type { AlertNotice } from "./alerts-api";
import { MetricBucket } from "./live";
import { MetricDefinition } from "./metrics";

/** Live chart resolutions: the in-memory 10 s tier and the persisted 1 min tier. */
export const Resolution = z.enum(["10s", "1m"]);
export type Resolution = z.infer<typeof Resolution>;
export const RESOLUTION_MS: Record<Resolution, number> = { "10s": 10_000, "1m": 60_000 };
/** How far back a snapshot reaches: 15 min of 10 s buckets, 3 h of 1 min buckets. */
export const SNAPSHOT_SPAN_MS: Record<Resolution, number> = { "10s": 15 * 60_000, "1m": 3 * 3_600_000 };
/** Subscriptions one socket may hold at once. */
export const MAX_SUBSCRIPTIONS_PER_CLIENT = 24;
/**
 * Groups a grouped live subscription carries per bucket: the top 20 by count, then one
 * `(other)` bucket (OTHER_GROUP) holding the rest — its count, sum and avg exact (the all-groups
 * total minus the groups shown), its min, max and percentiles null and its distinct 0, as live
 * buckets carry summaries, not mergeable sketches (the history API merges those exactly). A
 * real group named `(other)` is part of that remainder. Each web instance stores no more than
 * this per bucket either, so a burst of 100 000 distinct groups costs neither memory nor bytes.
 */
export const LIVE_GROUP_LIMIT = 20;

const NAME = /^[a-z][a-z0-9_.]{0,63}$/;
const ATTR = /^[a-z_][a-z0-9_]{0,63}$/;

/**
 * Client → server: follow one metric. Without `groupBy` the all-groups total is sent; with it
 * (it must be the metric's own group-by attr) one bucket per group.
 */
export const LiveSubscribe = z.strictObject({
  metric: z.string().regex(NAME, "must be a metric name ([a-z][a-z0-9_.]{0,63})"),
  resolution: Resolution,
  groupBy: z.string().regex(ATTR, "must be an attribute name").optional(),
});
export type LiveSubscribe = z.infer<typeof LiveSubscribe>;

/** Identifies a subscription (and its room): `<metric>|<resolution>|<groupBy or empty>`. */
export const subscriptionId = (s: LiveSubscribe) => `${s.metric}|${s.resolution}|${s.groupBy ?? ""}`;

/**
 * What a subscription starts from: every bucket in the snapshot span, the watermark, and the
 * sequence number of the last update already contained. Updates with a higher `seq` follow.
 * A grouped one holds at most LIVE_GROUP_LIMIT groups plus `(other)` per bucket start.
 */
export const LiveSnapshot = z.object({
  subscription: z.string(),
  metric: z.string(),
  resolution: Resolution,
  groupBy: z.string().nullable(),
  seq: z.number().int().nonnegative(),
  /** Max event time seen − allowed out-of-orderness; null before the first event. */
  watermark: z.number().int().nullable(),
  buckets: z.array(MetricBucket),
  serverTime: z.number().int(),
});
export type LiveSnapshot = z.infer<typeof LiveSnapshot>;

export const SocketErrorCode = z.enum([
  "invalid_request",
  "unauthorized",
  "forbidden",
  "unknown_metric",
  "too_many_subscriptions",
  "unavailable",
]);
export type SocketErrorCode = z.infer<typeof SocketErrorCode>;

/** A refused socket request: a code, a message for people, and the offending field if any. */
export const SocketError = z.object({
  code: SocketErrorCode,
  message: z.string(),
  field: z.string().optional(),
});
export type SocketError = z.infer<typeof SocketError>;

export const LiveSubscribeAck = z.discriminatedUnion("ok", [
  z.object({ ok: z.literal(true), snapshot: LiveSnapshot }),
  z.object({ ok: z.literal(false), error: SocketError }),
]);
export type LiveSubscribeAck = z.infer<typeof LiveSubscribeAck>;

/**
 * Server → client: buckets of one subscription changed since the previous update (coalesced,
 * at most 5 per second). Each bucket carries its full current summary, so applying one twice
 * changes nothing; `seq` increases by one per update of the subscription and reveals gaps.
 * For every bucket start it names, an update carries all of that start's buckets (for a
 * grouped subscription: the current top groups and `(other)`), which replace what the client
 * held for that start — a group that fell out of the top is not left behind, counted twice.
 */
export const LiveUpdate = z.object({
  subscription: z.string(),
  seq: z.number().int().positive(),
  watermark: z.number().int().nullable(),
  buckets: z.array(MetricBucket),
});
export type LiveUpdate = z.infer<typeof LiveUpdate>;

export const LiveUnsubscribe = z.strictObject({ subscription: z.string().max(200) });
export type LiveUnsubscribe = z.infer<typeof LiveUnsubscribe>;
export const UnsubscribeAck = z.discriminatedUnion("ok", [
  z.object({ ok: z.literal(true) }),
  z.object({ ok: z.literal(false), error: SocketError }),
]);
export type UnsubscribeAck = z.infer<typeof UnsubscribeAck>;

/** Health of the pipeline as sampled by the web role every couple of seconds. */
export const PipelineStats = z.object({
  sampledAt: z.number().int(),
  /** Messages accepted into the stream per second (JetStream sequence growth). */
  ingestRate: z.number().nullable(),
  /** Events the processor stored per second (checkpoint growth). */
  processingRate: z.number().nullable(),
  /** Messages in the stream not yet delivered to the processor (`num_pending`). */
  consumerLag: z.number().int().nullable(),
  /** Delivered to the processor but not yet acked. */
  ackPending: z.number().int().nullable(),
  storedTotal: z.number().int(),
  tooLateTotal: z.number().int(),
  watermark: z.number().int().nullable(),
  /** Whether the processor makes progress (`stalled`: messages wait and nothing commits). */
  processor: z.object({
    state: z.enum(["idle", "progressing", "stalled", "unknown"]),
    detail: z.string(),
  }),
  /** The web's NATS connection: the figures above are stale while it is not `connected`. */
  nats: z.enum(["connected", "disconnected", "reconnecting", "closed"]),
  /** Dead letters of the last hour, per reason code, most frequent first. */
  deadLetters: z.array(z.object({ reason: z.string(), count: z.number().int() })),
});
export type PipelineStats = z.infer<typeof PipelineStats>;

export const PipelineAck = z.discriminatedUnion("ok", [
  z.object({ ok: z.literal(true), stats: PipelineStats.nullable() }),
  z.object({ ok: z.literal(false), error: SocketError }),
]);
export type PipelineAck = z.infer<typeof PipelineAck>;

/** Typed Socket.IO event maps shared by the gateway and the browser. */
export interface ServerToClientEvents {
  "live:update": (update: LiveUpdate) => void;
  "pipeline:update": (stats: PipelineStats) => void;
  /** An alert transition, to every signed-in socket (alert bar, toasts). */
  "alert:transition": (notice: AlertNotice) => void;
}
export interface ClientToServerEvents {
  "live:subscribe": (request: unknown, ack: (answer: LiveSubscribeAck) => void) => void;
  "live:unsubscribe": (request: unknown, ack?: (answer: UnsubscribeAck) => void) => void;
  "pipeline:subscribe": (ack: (answer: PipelineAck) => void) => void;
}

/** `GET /api/live/metrics`: the enabled metric definitions the live page can show. */
export const LiveMetricsResponse = z.object({ metrics: z.array(MetricDefinition) });
export type LiveMetricsResponse = z.infer<typeof LiveMetricsResponse>;

/**
 * The state a bucket has now: an `open` bucket becomes `final` once the watermark passes its
 * end (the processor only republishes buckets that change); `revised` stays marked.
 */
export function currentState(
  bucket: { bucketStart: number; resolution: Resolution; state: "open" | "final" | "revised" },
  watermark: number | null,
): "open" | "final" | "revised" {
  if (bucket.state !== "open") return bucket.state;
  return watermark !== null && bucket.bucketStart + RESOLUTION_MS[bucket.resolution] <= watermark
    ? "final"
    : "open";
}
