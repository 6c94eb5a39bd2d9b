import type { Server, Socket } from "socket.io";
import type { Principal } from "./guard";
import { checkSameOrigin } from "../auth/request-origin";
import type { SocketHandshake } from "./socket-auth";
import {
  LiveSubscribe,
  LiveUnsubscribe,
  MAX_SUBSCRIPTIONS_PER_CLIENT,
  subscriptionId,
  type ClientToServerEvents,
  type LiveSubscribeAck,
  type MetricDefinition,
  type ServerToClientEvents,
  type SocketError,
} from "../contract";
import { errorFields, type Logger } from "../log";
import type { LiveFeed } from "./live-feed";
import { createLiveRooms } from "./live-rooms";
import type { PipelineSampler } from "./pipeline-sampler";

export interface SocketData {
  principal: Principal;
  subscriptions: Set<string>;
}
export type LiveServer = Server<
  ClientToServerEvents,
  ServerToClientEvents,
  Record<string, never>,
  SocketData
>;
type LiveSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
export type Authenticate = (handshake: SocketHandshake) => Promise<Principal | null>;

/** At most 5 update pushes per second per subscription (DESIGN.md, "Serving"). */
export const PUSH_INTERVAL_MS = 200;

/** Calls `push` on a schedule until the returned stop is called. */
export type PushSchedule = (push: () => void) => () => void;
const everyPushInterval: PushSchedule = (push) => {
  const timer = setInterval(push, PUSH_INTERVAL_MS);
  return () => clearInterval(timer);
};
const PIPELINE_ROOM = "pipeline";
const READY_TIMEOUT_MS = 10_000;

export interface GatewayDeps {
  io: LiveServer;
  feed: LiveFeed;
  definitions: () => readonly MetricDefinition[];
  authenticate: Authenticate;
  pipeline?: PipelineSampler;
  log: Logger;
  maxSubscriptions?: number;
  /** NOWCAST_PUBLIC_URL: the only origin whose pages may open a socket (else the handshake's Host). */
  publicUrl?: string | undefined;
  /** When coalesced updates are pushed: every PUSH_INTERVAL_MS unless a test pushes by hand. */
  pushSchedule?: PushSchedule;
}

const refuse = (
  code: SocketError["code"],
  message: string,
  field?: string,
): { ok: false; error: SocketError } => ({
  ok: false,
  error: { code, message, ...(field ? { field } : {}) },
});

/**
 * Socket.IO side of the live view: authenticates the handshake, validates subscriptions,
 * acks each with a snapshot from the feed's store, and pushes coalesced numbered updates to
 * one room per subscription. Each web instance has its own feed from NATS.
 */
export function startLiveGateway(deps: GatewayDeps): { stop(): void } {
  const { io, feed, log } = deps;
  const rooms = createLiveRooms(feed.store, deps.definitions);
  const limit = deps.maxSubscriptions ?? MAX_SUBSCRIPTIONS_PER_CLIENT;
  const activeRooms = () =>
    new Set([...io.sockets.adapter.rooms.keys()].filter((room) => room.includes("|")));

  feed.onChange((buckets) => rooms.touch(buckets));
  feed.onReseed(() => rooms.touchAll(activeRooms()));
  const stopPushes = (deps.pushSchedule ?? everyPushInterval)(() => {
    feed.store.prune();
    for (const update of rooms.flush(activeRooms())) io.to(update.subscription).emit("live:update", update);
  });
  deps.pipeline?.onSample((stats) => io.to(PIPELINE_ROOM).emit("pipeline:update", stats));

  // Cross-site WebSocket hijacking: a page on another origin of the same site would open a
  // socket with the user's cookie. Browsers always send Origin on WebSocket and cross-origin
  // handshakes; a same-origin polling GET may carry none, so a missing one is allowed.
  io.use((socket, next) => {
    const { headers } = socket.handshake;
    const header = (name: string) => {
      const value = headers[name];
      return typeof value === "string" ? value : null;
    };
    const verdict = checkSameOrigin(
      { origin: header("origin"), fetchSite: header("sec-fetch-site"), host: header("host") },
      deps.publicUrl,
      "allow",
    );
    if (verdict.ok) return next();
    log.warn("refused a socket from another origin", { reason: verdict.reason });
    next(new Error("forbidden_origin"));
  });
  io.use((socket, next) => {
    deps
      .authenticate({ headers: socket.handshake.headers, auth: socket.handshake.auth })
      .then((principal) => {
        if (!principal) return next(new Error("unauthorized"));
        socket.data.principal = principal;
        socket.data.subscriptions = new Set();
        next();
      })
      .catch((error: unknown) => {
        log.warn("socket authentication failed", errorFields(error));
        next(new Error("unauthorized"));
      });
  });

  const ready = () =>
    Promise.race([
      feed.ready.then(() => true),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), READY_TIMEOUT_MS).unref()),
    ]);

  const subscribe = async (socket: LiveSocket, request: unknown): Promise<LiveSubscribeAck> => {
    // Any signed-in role may watch live dashboards (viewer is the lowest).
    if (!socket.data.principal?.role) return refuse("forbidden", "live dashboards need the viewer role");
    const parsed = LiveSubscribe.safeParse(request);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue?.path.join(".") || undefined;
      return refuse("invalid_request", `${field ?? "request"}: ${issue?.message ?? "invalid"}`, field);
    }
    const { metric, resolution, groupBy } = parsed.data;
    const definition = deps.definitions().find((d) => d.name === metric && d.enabled);
    if (!definition) return refuse("unknown_metric", `no enabled metric named "${metric}"`, "metric");
    if (groupBy !== undefined && groupBy !== definition.groupBy) {
      const allowed = definition.groupBy ? `only by "${definition.groupBy}"` : "not at all";
      return refuse("invalid_request", `groupBy: ${metric} can be grouped ${allowed}`, "groupBy");
    }
    const id = subscriptionId(parsed.data);
    const held = socket.data.subscriptions;
    // The slot is taken before the first await: concurrent subscribes cannot all pass the check.
    const fresh = !held.has(id);
    if (fresh && held.size >= limit)
      return refuse("too_many_subscriptions", `at most ${limit} subscriptions per connection`);
    held.add(id);
    if (!(await ready())) {
      if (fresh) held.delete(id);
      return refuse("unavailable", "live data is not available yet; retry shortly");
    }
    // Unsubscribed (or disconnected) while waiting: nothing to join.
    if (!held.has(id) || socket.disconnected)
      return refuse("invalid_request", "unsubscribed before the snapshot");
    // Join and read in one synchronous step: every later change reaches the room as an
    // update numbered above the snapshot's sequence.
    void socket.join(id);
    return {
      ok: true,
      snapshot: {
        subscription: id,
        metric,
        resolution,
        groupBy: groupBy ?? null,
        seq: rooms.seq(id),
        watermark: feed.store.watermark(),
        // Shared by every socket that asks while the store is unchanged (live-rooms.ts).
        buckets: [...rooms.snapshot(parsed.data)],
        serverTime: Date.now(),
      },
    };
  };

  io.on("connection", (socket: LiveSocket) => {
    socket.on("live:subscribe", (request, ack) => {
      if (typeof ack !== "function") return;
      subscribe(socket, request).then(ack, (error: unknown) => {
        log.warn("subscribe failed", errorFields(error));
        ack(refuse("unavailable", "subscription failed; retry shortly"));
      });
    });
    socket.on("live:unsubscribe", (request, ack) => {
      const parsed = LiveUnsubscribe.safeParse(request);
      const answer = parsed.success
        ? { ok: true as const }
        : refuse("invalid_request", "subscription: must be a subscription id", "subscription");
      // Only a subscription this socket holds can be left: no other room (its own id room, the
      // pipeline room) is the client's to leave, whatever id it sends.
      if (parsed.success && socket.data.subscriptions.delete(parsed.data.subscription))
        void socket.leave(parsed.data.subscription);
      if (typeof ack === "function") ack(answer);
    });
    socket.on("pipeline:subscribe", (ack) => {
      if (typeof ack !== "function") return;
      if (!socket.data.principal?.role)
        return ack(refuse("forbidden", "the pipeline panel needs the viewer role"));
      void socket.join(PIPELINE_ROOM);
      ack({ ok: true, stats: deps.pipeline?.latest() ?? null });
    });
  });

  return { stop: stopPushes };
}
