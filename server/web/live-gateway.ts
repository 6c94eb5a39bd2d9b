import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import type pg from "pg";
import type { Server, Socket } from "socket.io";
import { LiveBatch, SubscribeRates, type ClientToServerEvents, type ServerToClientEvents } from "../contract";
import { readRatesSnapshot } from "../db/live-queries";
import { errorFields, type Logger } from "../log";

export type LiveServer = Server<ClientToServerEvents, ServerToClientEvents>;
type LiveSocket = Socket<ClientToServerEvents, ServerToClientEvents>;

const RATES_ROOM = "rates";
/** At most 5 update pushes per second per subscription (DESIGN.md, "Serving"). */
export const PUSH_INTERVAL_MS = 200;

export interface GatewayDeps {
  io: LiveServer;
  nc: NatsConnection;
  pool: pg.Pool;
  liveSubject: string;
  log: Logger;
  now?: () => number;
}

/**
 * Relays processor batches from core NATS to subscribed browsers. Every web instance
 * subscribes on its own, so any number of them can run behind a load balancer.
 */
export function startLiveGateway(deps: GatewayDeps): { stop(): void } {
  const { io, nc, log } = deps;
  const now = deps.now ?? Date.now;
  let pending: LiveBatch[] = [];
  const subscription: Subscription = nc.subscribe(deps.liveSubject, {
    callback: (error, message) => {
      if (error) return log.warn("live subscription error", errorFields(error));
      let body: unknown;
      try {
        body = message.json();
      } catch {
        body = undefined;
      }
      const parsed = LiveBatch.safeParse(body);
      if (parsed.success) pending.push(parsed.data);
      else log.warn("ignored malformed live batch", { subject: message.subject });
    },
  });
  const timer = setInterval(() => {
    if (pending.length === 0) return;
    io.to(RATES_ROOM).emit("rates:update", { batches: pending });
    pending = [];
  }, PUSH_INTERVAL_MS);

  io.on("connection", (socket: LiveSocket) => {
    socket.on("rates:subscribe", async (request, ack) => {
      if (typeof ack !== "function") return;
      const parsed = SubscribeRates.safeParse(request ?? {});
      if (!parsed.success) {
        return ack({
          ok: false,
          error: { code: "invalid_request", message: parsed.error.issues[0]?.message ?? "invalid" },
        });
      }
      // Join first: batches committed while the snapshot is read arrive as updates, and
      // the client drops those the snapshot already contains (by batch sequence).
      await socket.join(RATES_ROOM);
      try {
        const at = now();
        const snapshot = await readRatesSnapshot(deps.pool, at - parsed.data.windowSeconds * 1000, at);
        ack({ ok: true, snapshot });
      } catch (error) {
        log.warn("snapshot failed", errorFields(error));
        ack({ ok: false, error: { code: "unavailable", message: "history is unavailable; retrying" } });
      }
    });
    socket.on("rates:unsubscribe", () => void socket.leave(RATES_ROOM));
  });

  return {
    stop() {
      clearInterval(timer);
      subscription.unsubscribe();
    },
  };
}
