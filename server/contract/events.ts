import { z } from "zod";
import { BoundedNumber } from "./value-range";

/** Limits of the public event contract (DESIGN.md, "Event contract"). */
export const EVENT_LIMITS = {
  maxPayloadBytes: 16 * 1024,
  maxIdLength: 128,
  maxSourceLength: 64,
  maxAttrs: 32,
  maxAttrKeyLength: 64,
  maxAttrStringLength: 1024,
  maxFutureMs: 5 * 60_000,
  /** Containers nested in one event at most; a valid event needs 2 (the event and its attrs). */
  maxNesting: 16,
  /** Reasons reported per event at most (the first ones found), so an answer stays small. */
  maxReasons: 16,
} as const;

export const EVENT_TYPE_PATTERN = /^[a-z][a-z0-9_.]{0,63}$/;

/** Machine-readable rejection codes; part of the public contract. */
export const ReasonCode = z.enum([
  "invalid_json",
  "invalid_encoding",
  "nesting_too_deep",
  "duplicate_key",
  "not_an_object",
  "payload_too_large",
  "missing_field",
  "unknown_field",
  "invalid_id",
  "invalid_type_name",
  "unknown_type",
  "type_mismatch",
  "invalid_ts",
  "ts_in_future",
  "ts_too_old",
  "invalid_version",
  "invalid_source",
  "invalid_value",
  "invalid_attrs",
  "schema_violation",
  /** Valid by the contract, but the database refused to store it (SQLSTATE in the message). */
  "storage_rejected",
]);
export type ReasonCode = z.infer<typeof ReasonCode>;

/** Why an event was rejected: a code for machines, a message for people, the field path. */
export const Reason = z.object({
  code: ReasonCode,
  message: z.string(),
  path: z.string(),
});
export type Reason = z.infer<typeof Reason>;

export const AttrValue = z.union([
  z.string().max(EVENT_LIMITS.maxAttrStringLength),
  BoundedNumber,
  z.boolean(),
]);
export type AttrValue = z.infer<typeof AttrValue>;
export type Attrs = Record<string, AttrValue>;

/**
 * The envelope every event shares. `ts` is checked separately because it depends on `now`;
 * `attrs` (server/contract/attrs.ts) and the text rules (server/contract/text.ts) by hand, so
 * that each reason names the attr and what is wrong with it.
 */
export const EventEnvelope = z.strictObject({
  id: z.string().min(1).max(EVENT_LIMITS.maxIdLength),
  type: z.string().regex(EVENT_TYPE_PATTERN),
  ts: z.union([z.string(), z.number()]),
  v: z.number().int().min(1).max(1).optional(),
  source: z.string().max(EVENT_LIMITS.maxSourceLength).optional(),
  value: BoundedNumber.optional(),
  attrs: z.unknown().optional(),
});
export type EventEnvelope = z.infer<typeof EventEnvelope>;

/** An accepted event, normalised: `ts` is epoch milliseconds, `attrs` always present. */
export interface ValidEvent {
  id: string;
  type: string;
  ts: number;
  v: number;
  source?: string;
  value?: number;
  attrs: Attrs;
}
