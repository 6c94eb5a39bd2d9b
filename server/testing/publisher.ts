import type { JetStreamClient } from "@nats-io/jetstream";
import type { EventMix } from "./event-mix";

export interface Publisher {
  /** Stops publishing; rejects if a publish failed, since the ground truth is then unknown. */
  stop(): Promise<void>;
}

/**
 * Publishes `mix` to JetStream at a steady `rate` (messages per second) until stopped. Each
 * publish waits for JetStream's ack, so everything the mix recorded is stored in the stream.
 */
export function startPublisher(js: JetStreamClient, mix: EventMix, rate: number): Publisher {
  let stopped = false;
  const started = Date.now();
  const done = (async () => {
    while (!stopped) {
      const due = Math.floor(((Date.now() - started) / 1000) * rate);
      while (mix.messages < due && !stopped) {
        const message = mix.next(Date.now());
        const ack = await js.publish(message.subject, message.body, { msgID: message.msgID });
        // Every Nats-Msg-Id of the mix is unique, so JetStream must store every message.
        if (ack.duplicate) throw new Error(`JetStream dropped ${message.msgID} as a duplicate`);
      }
      await new Promise((resolve) => setTimeout(resolve, 10)); // pacing, not waiting for a condition
    }
  })();
  // Surface a failure at stop(), not as an unhandled rejection while the test is busy elsewhere.
  done.catch(() => undefined);
  return {
    async stop() {
      stopped = true;
      await done;
    },
  };
}
