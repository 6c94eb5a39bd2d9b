/**
 * Publishing for the bench: a fast pre-publish of N events (async, ~1000 in flight, with
 * `Nats-Msg-Id`), and a steady-rate publisher for the latency phase that records when each
 * event was handed to the client and which stream sequence it got.
 */
import type { JetStreamClient, PubAck } from "@nats-io/jetstream";
import { eventSubject } from "../../server/nats/streams";
import { TrafficGenerator } from "../../server/simulator/generate";
import { sleep } from "./stats";

export interface PrepublishResult {
  /** Messages handed to JetStream (including producer retries). */
  published: number;
  /** Messages JetStream stored (PubAck.duplicate false). */
  stored: number;
  /** Producer retries JetStream dropped inside its de-duplication window. */
  deduplicated: number;
  /** Bodies of the stored events, in publish order: stage (b) inserts these. */
  bodies: string[];
  bytes: number;
  seconds: number;
  eventsPerSecond: number;
}

const MAX_IN_FLIGHT = 1000;

/** For the high-cardinality run: a page view's path becomes unique (`/item/<n>`). */
function withDistinctPath<M extends { type: string; body: string }>(message: M, n: number, on: boolean): M {
  if (!on || message.type !== "page_view") return message;
  const event = JSON.parse(message.body) as { attrs: Record<string, unknown> };
  event.attrs.path = `/item/${n}`;
  return { ...message, body: JSON.stringify(event) };
}

/** Generator with every fault off except producer retries at `duplicates`. */
export function cleanTraffic(seed: number, runId: string, duplicates: number): TrafficGenerator {
  return new TrafficGenerator(seed, runId, { duplicate: duplicates, outOfOrder: 0, late: 0, malformed: 0 });
}

export async function prepublish(
  js: JetStreamClient,
  namespace: string,
  options: { events: number; duplicates: number; seed: number; runId: string; distinctPaths?: boolean },
): Promise<PrepublishResult> {
  const generator = cleanTraffic(options.seed, options.runId, options.duplicates);
  const bodies: (string | undefined)[] = new Array<string | undefined>(options.events);
  const window: Promise<void>[] = [];
  let stored = 0;
  let deduplicated = 0;
  let bytes = 0;
  const start = performance.now();
  for (let i = 0; i < options.events; i++) {
    // Event time is "now" at publish, as a live producer would send it.
    const message = withDistinctPath(generator.next(Date.now()), i, options.distinctPaths ?? false);
    bytes += Buffer.byteLength(message.body);
    const index = i;
    window.push(
      js
        .publish(eventSubject(namespace, message.type), message.body, { msgID: message.msgId })
        .then((ack) => {
          if (ack.duplicate) deduplicated++;
          else {
            stored++;
            bodies[index] = message.body;
          }
        }),
    );
    if (window.length >= MAX_IN_FLIGHT) await window.shift();
  }
  await Promise.all(window);
  const seconds = (performance.now() - start) / 1000;
  return {
    published: options.events,
    stored,
    deduplicated,
    bodies: bodies.filter((b): b is string => b !== undefined),
    bytes,
    seconds,
    eventsPerSecond: options.events / seconds,
  };
}

/** One event of the latency phase: its stream sequence and when it was handed to the client. */
export interface TimedPublish {
  seq: number;
  /** Date.now() just before `js.publish` (ms, same clock as the processor's `committedAt`). */
  publishedAt: number;
}

/**
 * Publishes `rate` events/s for `seconds`, in small bursts every ~2 ms (the timer's
 * resolution), without awaiting each ack. Producer retries (PubAck.duplicate) are left out.
 */
export async function publishSteady(
  js: JetStreamClient,
  namespace: string,
  generator: TrafficGenerator,
  rate: number,
  seconds: number,
): Promise<{ records: TimedPublish[]; published: number; seconds: number }> {
  const total = Math.round(rate * seconds);
  const records: TimedPublish[] = [];
  const pending: Promise<void>[] = [];
  const start = Date.now();
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((Date.now() - start) * rate) / 1000));
    while (sent < due) {
      const message = generator.next(Date.now());
      const publishedAt = Date.now();
      pending.push(
        js
          .publish(eventSubject(namespace, message.type), message.body, { msgID: message.msgId })
          .then((ack: PubAck) => {
            if (!ack.duplicate) records.push({ seq: ack.seq, publishedAt });
          }),
      );
      sent++;
    }
    await sleep(2);
  }
  const elapsed = (Date.now() - start) / 1000;
  await Promise.all(pending);
  return { records, published: sent, seconds: elapsed };
}
