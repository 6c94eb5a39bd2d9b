import {
  idOf,
  INGEST_LIMITS,
  sizeReason,
  validateEvent,
  type IngestRejection,
  type IngestResponse,
  type Reason,
} from "../contract";
import type { DeadLetterRecord } from "../db/event-store";

/** Ports of the ingest verb; NATS and Postgres adapters in production, twins in tests. */
export interface IngestPorts {
  /** Publishes to JetStream with Nats-Msg-Id = `id`; `duplicate` is JetStream's dedup verdict. */
  publish(type: string, id: string, payload: string): Promise<{ duplicate: boolean }>;
  storeRejections(letters: DeadLetterRecord[]): Promise<void>;
}

/** A request-level problem (the whole request is refused). */
export class IngestRequestError extends Error {
  override name = "IngestRequestError";
  constructor(
    readonly code: "empty_batch" | "too_many_events",
    message: string,
  ) {
    super(message);
  }
}

function checkItem(
  item: unknown,
  now: number,
): { ok: true; id: string; type: string; payload: string } | { ok: false; id?: string; reasons: Reason[] } {
  const payload = JSON.stringify(item) ?? "null";
  const tooLarge = sizeReason(Buffer.byteLength(payload));
  if (tooLarge) return { ok: false, id: idOf(item), reasons: [tooLarge] };
  const result = validateEvent(item, now);
  if (!result.ok) return result;
  return { ok: true, id: result.event.id, type: result.event.type, payload };
}

/**
 * Validates each event, publishes the valid ones and reports per event. Valid events are
 * published as received so the processor validates exactly what the producer sent.
 * A repeated id inside one request is published once and counted as a duplicate.
 */
export async function ingest(ports: IngestPorts, body: unknown, now: number): Promise<IngestResponse> {
  const items = Array.isArray(body) ? body : [body];
  if (items.length === 0) throw new IngestRequestError("empty_batch", "the request holds no events");
  if (items.length > INGEST_LIMITS.maxEvents) {
    throw new IngestRequestError(
      "too_many_events",
      `the request holds ${items.length} events (at most 1000)`,
    );
  }
  const rejected: IngestRejection[] = [];
  const letters: DeadLetterRecord[] = [];
  const seen = new Set<string>();
  const publishes: Promise<{ duplicate: boolean }>[] = [];
  let duplicates = 0;
  items.forEach((item, index) => {
    const checked = checkItem(item, now);
    if (!checked.ok) {
      rejected.push({ index, ...(checked.id ? { id: checked.id } : {}), reasons: checked.reasons });
      letters.push({
        source: "http",
        reasons: checked.reasons,
        payload: JSON.stringify(item) ?? "null",
        ...(checked.id ? { eventId: checked.id } : {}),
      });
      return;
    }
    if (seen.has(checked.id)) {
      duplicates += 1;
      return;
    }
    seen.add(checked.id);
    publishes.push(ports.publish(checked.type, checked.id, checked.payload));
  });
  const acks = await Promise.all(publishes);
  duplicates += acks.filter((ack) => ack.duplicate).length;
  if (letters.length > 0) await ports.storeRejections(letters);
  return { accepted: acks.length - acks.filter((a) => a.duplicate).length, duplicates, rejected };
}
