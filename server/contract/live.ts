import { z } from "zod";

/** Events per second of one type in one one-second bucket (event time). */
export const TypeRate = z.object({
  /** Bucket start, epoch ms, aligned to the second. */
  t: z.number().int(),
  type: z.string(),
  count: z.number().int().nonnegative(),
});
export type TypeRate = z.infer<typeof TypeRate>;

/** Display figures of one aggregate state (null where undefined, e.g. no values). */
export const Summary = z.object({
  count: z.number(),
  sum: z.number(),
  avg: z.number().nullable(),
  min: z.number().nullable(),
  max: z.number().nullable(),
  p50: z.number().nullable(),
  p90: z.number().nullable(),
  p95: z.number().nullable(),
  p99: z.number().nullable(),
  distinct: z.number(),
});
export type Summary = z.infer<typeof Summary>;

/** `open` until the watermark passes the bucket's end, then `final`; `revised` if a late event changed it since. */
export const BucketState = z.enum(["open", "final", "revised"]);
export type BucketState = z.infer<typeof BucketState>;

/** A metric bucket after a commit: 1 min as persisted, or 10 s from the live tier. */
export const MetricBucket = z.object({
  metric: z.string(),
  resolution: z.enum(["10s", "1m"]),
  bucketStart: z.number().int(),
  groupKey: z.string(),
  state: BucketState,
  summary: Summary,
});
export type MetricBucket = z.infer<typeof MetricBucket>;

/**
 * What the processor publishes after each committed batch (core NATS `<ns>.live.events`).
 * `batchSeq` increases by one per commit; `total` is the number of stored events after it.
 */
export const LiveBatch = z.object({
  consumer: z.string(),
  batchSeq: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
  /** Events this consumer stored as too late (not in the streamed rollups). */
  tooLateTotal: z.number().int().nonnegative(),
  /** Max event time seen − allowed out-of-orderness; null before the first event. */
  watermark: z.number().int().nullable(),
  rates: z.array(TypeRate),
  buckets: z.array(MetricBucket),
  committedAt: z.number().int(),
});
export type LiveBatch = z.infer<typeof LiveBatch>;

/** Client → server: start receiving per-type event rates. */
export const SubscribeRates = z.object({ windowSeconds: z.number().int().min(10).max(900).default(300) });
export type SubscribeRates = z.infer<typeof SubscribeRates>;

/** Acknowledgement of a subscription: history to draw now, and the checkpoints it reflects. */
export const RatesSnapshot = z.object({
  rates: z.array(TypeRate),
  /**
   * Per processor consumer: the last committed batch included in this snapshot (later
   * batches arrive as updates) and the number of events it has stored so far.
   */
  consumers: z.record(
    z.string(),
    z.object({ batchSeq: z.number().int().nonnegative(), total: z.number().int().nonnegative() }),
  ),
  serverTime: z.number().int(),
});
export type RatesSnapshot = z.infer<typeof RatesSnapshot>;

export const SubscribeAck = z.union([
  z.object({ ok: z.literal(true), snapshot: RatesSnapshot }),
  z.object({ ok: z.literal(false), error: z.object({ code: z.string(), message: z.string() }) }),
]);
export type SubscribeAck = z.infer<typeof SubscribeAck>;

/** Server → client: batches coalesced by the gateway (at most 5 per second). */
export const RatesUpdate = z.object({ batches: z.array(LiveBatch) });
export type RatesUpdate = z.infer<typeof RatesUpdate>;

/** Typed Socket.IO event maps shared by the gateway and the browser. */
export interface ServerToClientEvents {
  "rates:update": (update: RatesUpdate) => void;
}
export interface ClientToServerEvents {
  "rates:subscribe": (request: unknown, ack: (answer: SubscribeAck) => void) => void;
  "rates:unsubscribe": () => void;
}
