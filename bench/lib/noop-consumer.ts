/**
 * Stage (a): the raw limit of the message path — a durable pull consumer that does nothing
 * but `ack()` each message, with the processor's flow-control settings (max_messages 4000
 * per pull, max_ack_pending 8000), on the same stream the processor will read.
 *
 * `iterator` mode reads with `for await` as the processor does (server/processor/processor.ts);
 * `callback` mode passes `consume({ callback })`, which skips the async iterator's per-message
 * promise machinery: a reference for what the message path could give the processor.
 */
import {
  AckPolicy,
  DeliverPolicy,
  jetstream,
  jetstreamManager,
  type ConsumerMessages,
} from "@nats-io/jetstream";
import { nanos, type NatsConnection } from "@nats-io/transport-node";
import { waitFor } from "./stats";

export interface NoopResult {
  events: number;
  /** From the first delivered message until the server confirmed the last ack. */
  seconds: number;
  eventsPerSecond: number;
  /** Consumer info after the run: every message acked, nothing pending. */
  ackFloor: number;
  numAckPending: number;
}

export async function runNoopStage(
  nc: NatsConnection,
  stream: string,
  expected: number,
  options: {
    durable: string;
    maxMessages: number;
    maxAckPending: number;
    timeoutMs: number;
    mode: "iterator" | "callback";
  },
): Promise<NoopResult> {
  const jsm = await jetstreamManager(nc);
  await jsm.consumers.add(stream, {
    durable_name: options.durable,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: nanos(30_000),
    max_ack_pending: options.maxAckPending,
    max_deliver: -1,
  });
  const consumer = await jetstream(nc).consumers.get(stream, options.durable);
  let count = 0;
  let first = 0;
  let end = 0;
  if (options.mode === "callback") {
    await new Promise<void>((resolve, reject) => {
      let messages: ConsumerMessages | undefined;
      const timeout = setTimeout(() => {
        void messages?.close();
        resolve();
      }, options.timeoutMs);
      void consumer
        .consume({
          max_messages: options.maxMessages,
          callback: (message) => {
            if (count === 0) first = performance.now();
            count++;
            if (count < expected) {
              message.ack();
              return;
            }
            message.ackAck({ timeout: 10_000 }).then(() => {
              end = performance.now();
              clearTimeout(timeout);
              void messages?.close().catch(() => undefined);
              resolve();
            }, reject);
          },
        })
        .then((consuming) => {
          messages = consuming;
        }, reject);
    });
  } else {
    const messages: ConsumerMessages = await consumer.consume({ max_messages: options.maxMessages });
    const timeout = setTimeout(() => void messages.close(), options.timeoutMs);
    try {
      for await (const message of messages) {
        if (count === 0) first = performance.now();
        count++;
        if (count < expected) {
          message.ack();
          continue;
        }
        // Acks travel in order on one connection: when the server confirms this one, it has
        // processed every ack before it.
        await message.ackAck({ timeout: 10_000 });
        end = performance.now();
        break;
      }
    } finally {
      clearTimeout(timeout);
      await messages.close().catch(() => undefined);
    }
  }
  if (count < expected) throw new Error(`no-op consumer got ${count} of ${expected} messages`);
  const info = await waitFor(
    "no-op consumer ack floor",
    async () => {
      const current = await jsm.consumers.info(stream, options.durable);
      return current.num_ack_pending === 0 ? current : undefined;
    },
    10_000,
  );
  const seconds = (end - first) / 1000;
  return {
    events: count,
    seconds,
    eventsPerSecond: count / seconds,
    ackFloor: info.ack_floor.stream_seq,
    numAckPending: info.num_ack_pending,
  };
}
