import {
  validatePayload,
  type HttpRejection,
  type IngestNotice,
  type IngestRejection,
  type IngestResponse,
  type ValidEvent,
} from "../contract";
import { keptBytes } from "../core/dead-letter-payload";
import { classify, watermarkOf, type Clock, type TimeSettings } from "../core/engine";
import { splitBody } from "./body";

export { IngestRequestError } from "./body";

/** What Postgres knows about a request's ids; null when it could not be asked. */
export interface StoreView {
  /** Ids among those asked about that are already stored. */
  stored: ReadonlySet<string>;
  /** The processor's event-time clock (its watermark decides what is too late). */
  clock: Clock;
}

/** Ports of the ingest verb; NATS and Postgres adapters in production, twins in tests. */
export interface IngestPorts {
  /** Publishes to JetStream with Nats-Msg-Id = `id`; `duplicate` is JetStream's dedup verdict. */
  publish(type: string, id: string, payload: Uint8Array): Promise<{ duplicate: boolean }>;
  /** Publishes rejected inputs for the dead-letter table; resolves once JetStream has them all. */
  publishRejections(rejections: HttpRejection[]): Promise<void>;
  /** One set-based look-up; resolves null when Postgres cannot answer (ingest goes on without). */
  lookup(ids: string[]): Promise<StoreView | null>;
}

export interface IngestContext {
  now: number;
  /** Older events would never be counted: rejected with ts_too_old (server/core/counted-window.ts). */
  oldestAcceptedTs: number;
  time: TimeSettings;
}

type Checked = { index: number; bytes: Uint8Array; event: ValidEvent };

function rejection(index: number, bytes: Uint8Array, now: number, r: IngestRejection): HttpRejection {
  return {
    v: 1,
    receivedAt: now,
    index,
    ...(r.id === undefined ? {} : { eventId: r.id }),
    reasons: r.reasons,
    payload: Buffer.from(keptBytes(bytes)).toString("base64"),
    payloadSize: bytes.byteLength,
  };
}

const notice = (c: Checked, code: IngestNotice["code"], message: string): IngestNotice => ({
  index: c.index,
  id: c.event.id,
  code,
  message,
});

function tooLateNotice(c: Checked, view: StoreView | null, time: TimeSettings): IngestNotice[] {
  if (!view) return [];
  // The processor's watermark only moves forward, so what is too late now is too late then.
  if (classify(c.event.ts, watermarkOf(view.clock, time), time) !== "too_late") return [];
  const lateness = Math.round(time.allowedLatenessMs / 60_000);
  const message =
    `stored, but counted only after the hourly reconciliation: its minute closed more than ` +
    `${lateness} min before the watermark`;
  return [notice(c, "too_late", message)];
}

/**
 * Validates each event of a request body exactly as it was sent (the bytes the processor will
 * see), keeps every rejected one as a dead letter (published before anything else, so a 503
 * never loses evidence), drops ids that are repeated or already stored (first copy wins),
 * publishes the rest and answers per event.
 */
export async function ingest(
  ports: IngestPorts,
  body: Uint8Array,
  context: IngestContext,
): Promise<IngestResponse> {
  const { now } = context;
  const rejected: IngestRejection[] = [];
  const rejections: HttpRejection[] = [];
  const notices: IngestNotice[] = [];
  const firstIndex = new Map<string, number>();
  const unique: Checked[] = [];
  splitBody(body).forEach((bytes, index) => {
    const validation = validatePayload(bytes, now, { oldestCountedTs: context.oldestAcceptedTs });
    if (!validation.ok) {
      const r = { index, ...(validation.id ? { id: validation.id } : {}), reasons: validation.reasons };
      rejected.push(r);
      rejections.push(rejection(index, bytes, now, r));
      return;
    }
    const checked = { index, bytes, event: validation.event };
    const first = firstIndex.get(checked.event.id);
    if (first === undefined) {
      firstIndex.set(checked.event.id, index);
      unique.push(checked);
    } else notices.push(notice(checked, "duplicate", `repeats the id of item ${first}; the first copy wins`));
  });
  if (rejections.length > 0) await ports.publishRejections(rejections);
  const view = unique.length > 0 ? await ports.lookup(unique.map((c) => c.event.id)) : null;
  const fresh = unique.filter((c) => {
    if (!view?.stored.has(c.event.id)) return true;
    notices.push(notice(c, "duplicate", "an event with this id is already stored; the first copy wins"));
    return false;
  });
  const acks = await Promise.all(fresh.map((c) => ports.publish(c.event.type, c.event.id, c.bytes)));
  let accepted = 0;
  fresh.forEach((c, i) => {
    if (acks[i]?.duplicate) {
      notices.push(
        notice(c, "duplicate", "this id was published moments ago (JetStream); the first copy wins"),
      );
      return;
    }
    accepted += 1;
    notices.push(...tooLateNotice(c, view, context.time));
  });
  notices.sort((a, b) => a.index - b.index);
  const duplicates = notices.filter((n) => n.code === "duplicate").length;
  return { accepted, duplicates, rejected, notices, storeChecked: view !== null || unique.length === 0 };
}
