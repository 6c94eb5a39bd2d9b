import { z } from "zod";
import { Reason } from "./events";

export const INGEST_LIMITS = { maxEvents: 1000, maxBodyBytes: 1024 * 1024 } as const;

/** One rejected item of an ingest request. `index` is its position in the request. */
export const IngestRejection = z.object({
  index: z.number().int(),
  id: z.string().optional(),
  reasons: z.array(Reason),
});
export type IngestRejection = z.infer<typeof IngestRejection>;

/**
 * What happened to an event that was not rejected but is not simply counted now:
 * `duplicate` — not stored again, the first copy with this id wins (repeated in the request,
 * already stored, or still in JetStream's de-duplication window);
 * `too_late` — stored, but its minute closed more than the allowed lateness before the
 * watermark: it is counted only when the reconciliation of its hour runs.
 */
export const IngestNoticeCode = z.enum(["duplicate", "too_late"]);
export type IngestNoticeCode = z.infer<typeof IngestNoticeCode>;

export const IngestNotice = z.object({
  index: z.number().int(),
  id: z.string(),
  code: IngestNoticeCode,
  message: z.string(),
});
export type IngestNotice = z.infer<typeof IngestNotice>;

/** `202` answer of `POST /api/ingest`. */
export const IngestResponse = z.object({
  /** Events taken for storage (too-late ones included; each also has a `too_late` notice). */
  accepted: z.number().int(),
  /** Events not stored again because their id was already taken (each has a `duplicate` notice). */
  duplicates: z.number().int(),
  /** Events refused with reasons; each is kept as a dead letter. */
  rejected: z.array(IngestRejection),
  notices: z.array(IngestNotice),
  /**
   * Whether Postgres was asked which ids are stored (and for the watermark). `false` while it is
   * unreachable: then only JetStream's de-duplication window catches a repeated id (a later copy
   * is still stored once by the processor) and no `too_late` notices are given.
   */
  storeChecked: z.boolean(),
});
export type IngestResponse = z.infer<typeof IngestResponse>;

/**
 * An input `POST /api/ingest` rejected, on its way to the dead-letter table: published to
 * `<ns>.rejected.http` in the events stream and stored by the processor in its batch
 * transaction, once per stream sequence (docs/decisions/0014).
 */
export const HttpRejection = z.strictObject({
  v: z.literal(1),
  receivedAt: z.number().int().min(0),
  /** Position of the item in its request. */
  index: z.number().int().min(0),
  eventId: z.string().max(1024).optional(),
  reasons: z.array(Reason).min(1),
  /** The item's bytes exactly as received (base64; cut to the first 64 KiB when larger). */
  payload: z.base64(),
  /** The item's size as received, in bytes. */
  payloadSize: z.number().int().min(0),
});
export type HttpRejection = z.infer<typeof HttpRejection>;

/** One query or path parameter a request got wrong. */
export const ParameterIssue = z.object({ param: z.string(), message: z.string() });
export type ParameterIssue = z.infer<typeof ParameterIssue>;

/**
 * `details` of every `400 invalid_parameter`, on every route (history, jobs, admin, paths):
 * `param` names the first parameter at fault, `issues` lists each one. The message starts
 * with the same name ("limit: must be at most 500").
 */
export const InvalidParameterDetails = z.object({ param: z.string(), issues: z.array(ParameterIssue) });
export type InvalidParameterDetails = z.infer<typeof InvalidParameterDetails>;

/** The one error shape of every API response. */
export const ApiError = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.unknown().optional(),
  }),
});
export type ApiError = z.infer<typeof ApiError>;

/**
 * `GET /api/health` (200 when `ok`, 503 when `degraded`). Checks: `postgres`, `nats` (down while
 * disconnected or reconnecting) and `processor` (stalled: messages wait and nothing commits).
 */
export const HealthResponse = z.object({
  status: z.enum(["ok", "degraded"]),
  checks: z.record(z.string(), z.object({ ok: z.boolean(), detail: z.string().optional() })),
});
export type HealthResponse = z.infer<typeof HealthResponse>;
