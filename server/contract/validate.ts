import type { z } from "zod";
import { BUILTIN_TYPES, isRegisteredType } from "./builtin-types";
import { EVENT_LIMITS, EventEnvelope, type Reason, type ReasonCode, type ValidEvent } from "./events";

export type Validation = { ok: true; event: ValidEvent } | { ok: false; id?: string; reasons: Reason[] };

const FIELD_CODES: Record<string, ReasonCode> = {
  id: "invalid_id",
  type: "invalid_type_name",
  ts: "invalid_ts",
  v: "invalid_version",
  source: "invalid_source",
  value: "invalid_value",
  attrs: "invalid_attrs",
};

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

function pathOf(path: readonly PropertyKey[]): string {
  return path.map(String).join(".");
}

function envelopeReasons(error: z.ZodError, input: Record<string, unknown>): Reason[] {
  return error.issues.flatMap((issue): Reason[] => {
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => ({
        code: "unknown_field",
        message: `unknown field "${key}"; the contract allows id, type, ts, v, source, value, attrs`,
        path: key,
      }));
    }
    const field = String(issue.path[0] ?? "");
    if (issue.path.length === 1 && input[field] === undefined) {
      return [{ code: "missing_field", message: `${field} is required`, path: field }];
    }
    const code = FIELD_CODES[field] ?? "schema_violation";
    if (field === "ts") {
      return [{ code, message: "ts must be an RFC 3339 string or epoch milliseconds", path: "ts" }];
    }
    return [{ code, message: `${pathOf(issue.path)}: ${issue.message}`, path: pathOf(issue.path) }];
  });
}

/** Parses event time: RFC 3339 string or epoch milliseconds. */
export function parseEventTime(ts: string | number): number | undefined {
  if (typeof ts === "number") {
    return Number.isSafeInteger(ts) && ts > 0 ? ts : undefined;
  }
  if (!RFC3339.test(ts)) return undefined;
  const ms = Date.parse(ts);
  return Number.isFinite(ms) && ms > 0 ? ms : undefined;
}

function timeReasons(ts: string | number, now: number): { ms?: number; reasons: Reason[] } {
  const ms = parseEventTime(ts);
  if (ms === undefined) {
    const message =
      typeof ts === "number"
        ? "ts must be a positive integer of epoch milliseconds"
        : "ts must be an RFC 3339 timestamp such as 2026-11-25T10:00:00Z";
    return { reasons: [{ code: "invalid_ts", message, path: "ts" }] };
  }
  if (ms > now + EVENT_LIMITS.maxFutureMs) {
    const ahead = Math.round((ms - now) / 1000);
    return {
      reasons: [
        {
          code: "ts_in_future",
          message: `ts is ${ahead} s in the future (at most 300 s allowed)`,
          path: "ts",
        },
      ],
    };
  }
  return { ms, reasons: [] };
}

function attrCountReasons(attrs: Record<string, unknown> | undefined): Reason[] {
  const n = attrs ? Object.keys(attrs).length : 0;
  if (n <= EVENT_LIMITS.maxAttrs) return [];
  return [{ code: "invalid_attrs", message: `attrs has ${n} keys (at most 32)`, path: "attrs" }];
}

function typeReasons(envelope: EventEnvelope): Reason[] {
  if (!isRegisteredType(envelope.type)) {
    return [
      { code: "unknown_type", message: `"${envelope.type}" is not a registered event type`, path: "type" },
    ];
  }
  const schema = BUILTIN_TYPES[envelope.type];
  const reasons: Reason[] = [];
  const value = schema.value.safeParse(envelope.value);
  if (!value.success) {
    const message =
      envelope.value === undefined ? `${envelope.type} requires value` : value.error.issues[0]?.message;
    reasons.push({ code: "schema_violation", message: `value: ${message}`, path: "value" });
  }
  const attrs = schema.attrs.safeParse(envelope.attrs ?? {});
  if (!attrs.success) {
    for (const issue of attrs.error.issues) {
      const path = pathOf(["attrs", ...issue.path]);
      reasons.push({ code: "schema_violation", message: `${path}: ${issue.message}`, path });
    }
  }
  return reasons;
}

/**
 * Checks one decoded event against the contract. Pure: `now` is passed in.
 * Returns every reason found, not just the first, so a producer can fix all at once.
 */
export function validateEvent(input: unknown, now: number): Validation {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    return {
      ok: false,
      reasons: [{ code: "not_an_object", message: "an event must be a JSON object", path: "" }],
    };
  }
  const record = input as Record<string, unknown>;
  const id = idOf(record);
  const parsed = EventEnvelope.safeParse(record);
  if (!parsed.success) return { ok: false, id, reasons: envelopeReasons(parsed.error, record) };

  const envelope = parsed.data;
  const time = timeReasons(envelope.ts, now);
  const reasons = [...time.reasons, ...attrCountReasons(envelope.attrs), ...typeReasons(envelope)];
  if (reasons.length > 0 || time.ms === undefined) return { ok: false, id, reasons };

  const event: ValidEvent = {
    id: envelope.id,
    type: envelope.type,
    ts: time.ms,
    v: envelope.v ?? 1,
    attrs: envelope.attrs ?? {},
  };
  if (envelope.source !== undefined) event.source = envelope.source;
  if (envelope.value !== undefined) event.value = envelope.value;
  return { ok: true, event };
}

/** The reason for an event over the 16 KiB limit, or undefined when it fits. */
export function sizeReason(bytes: number): Reason | undefined {
  if (bytes <= EVENT_LIMITS.maxPayloadBytes) return undefined;
  return { code: "payload_too_large", message: `event is ${bytes} bytes (at most 16384)`, path: "" };
}

/** The event's id as far as it can be read from bad input, for reporting. */
export function idOf(input: unknown): string | undefined {
  if (typeof input !== "object" || input === null) return undefined;
  const id = (input as { id?: unknown }).id;
  return typeof id === "string" && id.length > 0 ? id.slice(0, EVENT_LIMITS.maxIdLength) : undefined;
}

/**
 * Decodes and validates one raw message body (NATS payload or one HTTP array item's text).
 * Oversize and non-JSON payloads become reasons, never exceptions.
 */
export function validatePayload(payload: string, now: number, byteLength?: number): Validation {
  const tooLarge = sizeReason(byteLength ?? new TextEncoder().encode(payload).length);
  if (tooLarge) return { ok: false, reasons: [tooLarge] };
  let input: unknown;
  try {
    input = JSON.parse(payload);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return { ok: false, reasons: [{ code: "invalid_json", message: `not valid JSON: ${detail}`, path: "" }] };
  }
  return validateEvent(input, now);
}
