import type { ConsumerInfo, JetStreamManager } from "@nats-io/jetstream";
import { natsNames } from "../config";
import { eventually } from "./harness";

/**
 * Waits until the namespace's processor consumer has acked every message stored in the
 * stream so far: nothing left to deliver, nothing delivered but unacked, and the ack floor at
 * the stream's last sequence.
 */
export async function waitUntilDrained(
  jsm: JetStreamManager,
  namespace: string,
  timeoutMs: number,
): Promise<ConsumerInfo> {
  const { stream, durable } = natsNames(namespace);
  const last = (await jsm.streams.info(stream)).state.last_seq;
  return eventually(
    async () => {
      const info = await jsm.consumers.info(stream, durable);
      const drained =
        info.num_pending === 0 && info.num_ack_pending === 0 && info.ack_floor.stream_seq >= last;
      return drained ? info : undefined;
    },
    timeoutMs,
    `consumer ${durable} to ack everything up to stream sequence ${last}`,
  );
}
