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

/** Per-second counts by type plus the checkpoints they reflect (read in one snapshot). */
export const RatesSnapshot = z.object({
  rates: z.array(TypeRate),
  consumers: z.record(
    z.string(),
    z.object({ batchSeq: z.number().int().nonnegative(), total: z.number().int().nonnegative() }),
  ),
  serverTime: z.number().int(),
});
export type RatesSnapshot = z.infer<typeof RatesSnapshot>;
