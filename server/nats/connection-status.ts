import type { NatsConnection } from "@nats-io/transport-node";

/** State of a NATS connection as its status events tell it (isClosed() alone misses reconnects). */
export type NatsState = "connected" | "disconnected" | "reconnecting" | "closed";

export interface ConnectionStatus {
  state(): NatsState;
  /** When the state last changed (epoch ms). */
  since(): number;
}

/**
 * Follows `nc.status()`: down from the first `disconnect` (or a stale connection) until the
 * client has reconnected, closed for good once it is closed.
 */
export function trackConnection(nc: NatsConnection, now: () => number = Date.now): ConnectionStatus {
  let state: NatsState = nc.isClosed() ? "closed" : "connected";
  let since = now();
  const set = (next: NatsState) => {
    if (next === state) return;
    state = next;
    since = now();
  };
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === "disconnect" || status.type === "staleConnection") set("disconnected");
      else if (status.type === "reconnecting") set("reconnecting");
      else if (status.type === "reconnect") set("connected");
      else if (status.type === "close") set("closed");
    }
  })().catch(() => set("closed"));
  void nc.closed().then(() => set("closed"));
  return { state: () => state, since: () => since };
}
