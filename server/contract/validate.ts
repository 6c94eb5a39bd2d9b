import type { z } from "zod";
import { checkAttrs } from "./attrs";
import { BUILTIN_TYPES, isRegisteredType } from "./builtin-types";
import { futureHint, isoTime, parseEventTime } from "./event-time";
import {
  EVENT_LIMITS,
  EventEnvelope,
  type Attrs,
  type Reason,
  type ReasonCode,
  type ValidEvent,
} from "./events";
import { describeProblem, printable, unsafeEventId, unsafeIdentifier, unstorable } from "./text";

export type Validation = { ok: true; event: ValidEvent } | { ok: false; id?: string; reasons: Reason[] };

/** Rules that depend on the deployment, passed in by the caller (the contract has no config). */
export interface ValidationOptions {
  /**
   * Events before this time are never counted (older than the reconciliation window): they are
   * rejected with `ts_too_old` instead of being stored and silently left out of every number.
   */
  oldestCountedTs?: number;
}

const FIELD_CODES: Record<string, ReasonCode> = {
  id: "invalid_id",
  type: "invalid_type_name",
  ts: "invalid_ts",
  v: "invalid_version",
  source: "invalid_source",
  value: "invalid_value",
  attrs: "invalid_attrs",
};

function pathOf(path: readonly PropertyKey[]): string {
  return path.map(String).join(".");
}

function envelopeReasons(error: z.ZodError, input: Record<string, unknown>): Reason[] {
  return error.issues.flatMap((issue): Reason[] => {
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => ({
        code: "unknown_field",
        message: `unknown field "${printable(key, 64)}"; the contract allows id, type, ts, v, source, value, attrs`,
        path: printable(key, 64),
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

/** NUL, lone surrogates (and in `id` and `source`, controls) that Postgres or NATS cannot carry. */
function textReasons(record: Record<string, unknown>): Reason[] {
  const reasons: Reason[] = [];
  const check = (field: string, code: ReasonCode, find: (text: string) => ReturnType<typeof unstorable>) => {
    const value = record[field];
    const problem = typeof value === "string" ? find(value) : undefined;
    if (problem) reasons.push({ code, message: describeProblem(field, problem), path: field });
  };
  check("id", "invalid_id", unsafeEventId);
  check("type", "invalid_type_name", unstorable);
  check("source", "invalid_source", unsafeIdentifier);
  return reasons;
}

function timeReasons(
  ts: string | number,
  now: number,
  options: ValidationOptions,
): { ms?: number; reasons: Reason[] } {
  const parsed = parseEventTime(ts);
  if (!parsed.ok)
    return { reasons: [{ code: "invalid_ts", message: printable(parsed.message, 300), path: "ts" }] };
  const ms = parsed.ms;
  if (ms > now + EVENT_LIMITS.maxFutureMs) {
    const ahead = Math.round((ms - now) / 1000);
    const message = `ts is ${ahead} s in the future (at most 300 s allowed)${futureHint(ts, now)}`;
    return { reasons: [{ code: "ts_in_future", message, path: "ts" }] };
  }
  if (options.oldestCountedTs !== undefined && ms < options.oldestCountedTs) {
    const message =
      `ts ${isoTime(ms)} is before ${isoTime(options.oldestCountedTs)}, outside the reconciliation ` +
      "window: it would be stored but never counted, so it is rejected (and kept as a dead letter)";
    return { reasons: [{ code: "ts_too_old", message, path: "ts" }] };
  }
  return { ms, reasons: [] };
}

function typeReasons(envelope: EventEnvelope, attrs: Attrs): Reason[] {
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
  const typed = schema.attrs.safeParse(attrs);
  if (!typed.success) {
    for (const issue of typed.error.issues) {
      const path = pathOf(["attrs", ...issue.path]);
      reasons.push({ code: "schema_violation", message: `${path}: ${issue.message}`, path });
    }
  }
  return reasons;
}

/** Every reason storable and bounded: at most `maxReasons`, text printable. */
function finish(id: string | undefined, reasons: Reason[]): Validation {
  const bounded = reasons.slice(0, EVENT_LIMITS.maxReasons).map((r) => ({
    code: r.code,
    message: printable(r.message, 400),
    path: printable(r.path, 200),
  }));
  return { ok: false, ...(id === undefined ? {} : { id }), reasons: bounded };
}

/**
 * Checks one decoded event against the contract. Pure: `now` is passed in.
 * Returns every reason found (up to `maxReasons`), so a producer can fix all at once.
 */
export function validateEvent(input: unknown, now: number, options: ValidationOptions = {}): Validation {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    return finish(undefined, [
      { code: "not_an_object", message: "an event must be a JSON object", path: "" },
    ]);
  }
  const record = input as Record<string, unknown>;
  const id = idOf(record);
  const text = textReasons(record);
  const attrs = checkAttrs(record.attrs);
  const parsed = EventEnvelope.safeParse(record);
  if (!parsed.success)
    return finish(id, [...envelopeReasons(parsed.error, record), ...text, ...attrs.reasons]);
  const envelope = parsed.data;
  const time = timeReasons(envelope.ts, now, options);
  const reasons = [...text, ...time.reasons, ...attrs.reasons];
  if (attrs.attrs) reasons.push(...typeReasons(envelope, attrs.attrs));
  if (reasons.length > 0 || time.ms === undefined || !attrs.attrs) return finish(id, reasons);

  const event: ValidEvent = {
    id: envelope.id,
    type: envelope.type,
    ts: time.ms,
    v: envelope.v ?? 1,
    attrs: attrs.attrs,
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

/**
 * The event's id as far as it can be read from bad input, for reporting: rendered printable
 * (controls, NUL and lone surrogates escaped), so it can be stored and shown.
 */
export function idOf(input: unknown): string | undefined {
  if (typeof input !== "object" || input === null) return undefined;
  const id = (input as { id?: unknown }).id;
  return typeof id === "string" && id.length > 0 ? printable(id, EVENT_LIMITS.maxIdLength) : undefined;
}
