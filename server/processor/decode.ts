import { validatePayload, type ValidEvent } from "../contract";
import type { DeadLetterRecord } from "../db/event-store";

/** What the processor needs of a delivered message (an adapter over JsMsg). */
export interface InboundMessage {
  subject: string;
  data: Uint8Array;
  /** Stream sequence: unique per stored message, stable across redeliveries. */
  seq: number;
}

export type Decoded = { kind: "event"; event: ValidEvent } | { kind: "dead"; letter: DeadLetterRecord };

const decoder = new TextDecoder("utf-8", { fatal: false });

/**
 * Turns one stream message into an event or a dead letter. Pure; never throws on bad input.
 * The subject's type token must match the body's `type`, so routing and content agree.
 */
export function decodeMessage(
  message: InboundMessage,
  context: { stream: string; subjectPrefix: string; now: number },
): Decoded {
  const payload = decoder.decode(message.data);
  const validation = validatePayload(message.data, context.now);
  const base = {
    source: "nats" as const,
    dedupKey: `${context.stream}:${message.seq}`,
    subject: message.subject,
    payload,
  };
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
