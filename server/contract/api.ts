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

/** `202` answer of `POST /api/ingest`. */
export const IngestResponse = z.object({
  accepted: z.number().int(),
  duplicates: z.number().int(),
  rejected: z.array(IngestRejection),
});
export type IngestResponse = z.infer<typeof IngestResponse>;

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
