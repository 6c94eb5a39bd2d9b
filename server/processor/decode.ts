import { HttpRejection, printable, validatePayload, type ValidEvent } from "../contract";
import type { DeadLetterRecord } from "../core/batch";

/** What the processor needs of a delivered message (an adapter over JsMsg). */
export interface InboundMessage {
  subject: string;
  data: Uint8Array;
  /** Stream sequence: unique per stored message, stable across redeliveries. */
  seq: number;
}

export type Decoded = { kind: "event"; event: ValidEvent } | { kind: "dead"; letter: DeadLetterRecord };

export interface DecodeContext {
  stream: string;
  subjectPrefix: string;
  /** Where ingest publishes the inputs it rejected (`<ns>.rejected.http`). */
  rejectionSubject?: string;
  now: number;
  /** Events before this are never counted (reconciliation window): dead-lettered as ts_too_old. */
  oldestCountedTs?: number;
}

const utf8 = new TextDecoder();

/**
 * An input ingest rejected, as published by it: stored as an `http` dead letter with its exact
 * bytes. A message on that subject that is not such an envelope is kept as a `nats` one.
 */
function decodeRejection(message: InboundMessage, dedupKey: string): Decoded {
  let parsed: ReturnType<typeof HttpRejection.safeParse> | undefined;
  try {
    parsed = HttpRejection.safeParse(JSON.parse(utf8.decode(message.data)));
  } catch {
    parsed = undefined;
  }
  if (!parsed?.success) {
    const reason = {
      code: "schema_violation" as const,
      message: "not a rejection envelope of ingest",
      path: "",
    };
    return {
      kind: "dead",
      letter: {
        source: "nats",
        dedupKey,
        subject: message.subject,
        reasons: [reason],
        payload: message.data,
      },
    };
  }
  const r = parsed.data;
  const letter: DeadLetterRecord = {
    source: "http",
    dedupKey,
    // Rendered again: the envelope is input too, and the table must be able to take it.
    reasons: r.reasons.map((x) => ({
      code: x.code,
      message: printable(x.message, 400),
      path: printable(x.path, 200),
    })),
    payload: Buffer.from(r.payload, "base64"),
    payloadSize: r.payloadSize,
    receivedAt: r.receivedAt,
    ...(r.eventId ? { eventId: printable(r.eventId) } : {}),
  };
  return { kind: "dead", letter };
}

/** What every dead letter of a stream message carries (unique per stream sequence). */
export function letterBase(message: InboundMessage, stream: string) {
  return {
    source: "nats" as const,
    dedupKey: `${stream}:${message.seq}`,
    subject: message.subject,
    payload: message.data,
  };
}

/**
 * Turns one stream message into an event or a dead letter. Pure; never throws on bad input.
 * The subject's type token must match the body's `type`, so routing and content agree.
 */
export function decodeMessage(message: InboundMessage, context: DecodeContext): Decoded {
  if (message.subject === context.rejectionSubject) {
    return decodeRejection(message, `${context.stream}:${message.seq}`);
  }
  // The bytes as published: not UTF-8 is a reason (invalid_encoding), never replaced text.
  const options = context.oldestCountedTs === undefined ? {} : { oldestCountedTs: context.oldestCountedTs };
  const validation = validatePayload(message.data, context.now, options);
  const base = letterBase(message, context.stream);
  if (!validation.ok) {
    return {
      kind: "dead",
      letter: { ...base, reasons: validation.reasons, ...(validation.id ? { eventId: validation.id } : {}) },
    };
  }
  const expected = `${context.subjectPrefix}.${validation.event.type}`;
  if (message.subject !== expected) {
    return {
      kind: "dead",
      letter: {
        ...base,
        eventId: validation.event.id,
        reasons: [
          {
            code: "type_mismatch",
            message: `type "${validation.event.type}" was published on ${message.subject}; expected ${expected}`,
            path: "type",
          },
        ],
      },
    };
  }
  return { kind: "event", event: validation.event };
}
