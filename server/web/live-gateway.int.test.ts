import { countOnlySummary } from "../testing/summaries";
import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { NatsConnection } from "@nats-io/transport-node";
import { Server } from "socket.io";
import { io as connectClient, type Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "./guard";
import type {
  ClientToServerEvents,
  LiveBatch,
  LiveSubscribeAck,
  LiveUpdate,
  MetricDefinition,
  ServerToClientEvents,
} from "../contract";
import { createDbClients, type DbClients } from "../db/clients";
import { commitBatch } from "../db/event-store";
import { readLiveSeed } from "../db/live-seed";
import { loadDefinitions } from "../db/metric-definitions";
import { createLogger } from "../log";
import { connectNats } from "../nats/streams";
import { createTestDatabase, eventually, NATS_URL, uniqueName, type TestDatabase } from "../testing/harness";
import { startLiveFeed, type LiveFeed } from "./live-feed";
import { startLiveGateway, type Authenticate, type LiveServer } from "./live-gateway";

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;
const liveSubject = `${uniqueName("tgw")}.live.events`;
// Fixed event times a little in the past, aligned so the 10 s and 1 min buckets are known.
const T = Math.floor((Date.now() - 120_000) / 60_000) * 60_000;
let database: TestDatabase;
let db: DbClients;
let nc: NatsConnection;
let http: HttpServer;
let io: LiveServer;
let feed: LiveFeed;
let gateway: { stop(): void };
let url: string;
let definitions: MetricDefinition[];
const clients: Client[] = [];

const PRINCIPALS: Record<string, Principal> = {
  viewer: { kind: "user", id: "u1", name: "Vera", role: "viewer", scope: null },
  ingest: { kind: "api_key", id: "k1", name: "producer", role: null, scope: "ingest" },
};
/** Pushes coalesced updates when a test says so: no timer decides what one push holds. */
let push: () => void = () => undefined;

/** Twin of the lead's session check: the handshake's auth token names a principal. */
const authenticate: Authenticate = async (handshake) => PRINCIPALS[String(handshake.auth.token)] ?? null;

const api = (id: string, ts: number, route: string, status: number, value: number) => ({
  event: { id, type: "api_request", ts, v: 1, value, attrs: { route, method: "GET", status } },
  lateness: "on_time" as const,
});

async function connect(token?: string): Promise<Client> {
  const client: Client = connectClient(url, {
    path: "/socket.io",
    transports: ["websocket"],
    auth: token ? { token } : {},
    reconnection: false,
  });
  clients.push(client);
  await new Promise<void>((resolve, reject) => {
    client.on("connect", () => resolve());
    client.on("connect_error", (error) => reject(error));
  });
  return client;
}
const subscribe = (client: Client, request: unknown) =>
  new Promise<LiveSubscribeAck>((resolve) => client.emit("live:subscribe", request, resolve));
/**
 * A round trip on the client's connection: the server sends in order, so every update it
 * emitted before answering has reached the client once the answer is here.
 */
const roundTrip = (client: Client) =>
  new Promise((resolve) => client.emit("live:unsubscribe", { subscription: "none|10s|" }, resolve));
/** The feed's current count of a 10 s bucket of api_requests (one group, or all). */
const storedCount = (bucketStart: number, groupKey: string) =>
  feed.store
    .select("api_requests", "10s", groupKey !== "")
    .find((b) => b.bucketStart === bucketStart && b.groupKey === groupKey)?.summary.count;

beforeAll(async () => {
  database = await createTestDatabase();
  db = createDbClients(database.url, { max: 4 });
  definitions = (await loadDefinitions(db.pool)).definitions;
  await commitBatch(db.pool, {
    consumer: "p",
    streamSeq: 3,
    receivedAt: T + 30_000,
    deadLetters: [],
    events: [
      api("a1", T + 1_000, "/cart", 200, 10),
      api("a2", T + 2_000, "/cart", 503, 30),
      api("a3", T + 16_000, "/pay", 200, 20),
    ],
    clock: { maxEventTime: T + 16_000 },
    definitions,
  });
  nc = await connectNats(NATS_URL, "gateway-test");
  feed = startLiveFeed({
    nc,
    liveSubject,
    readSeed: () => readLiveSeed(db.pool, definitions, 5_000),
    log: createLogger("web", "error"),
  });
  http = createServer();
  io = new Server(http, { path: "/socket.io" });
  gateway = startLiveGateway({
    io,
    feed,
    definitions: () => definitions,
    authenticate,
    log: createLogger("web", "error"),
    maxSubscriptions: 3,
    pushSchedule: (pushNow) => {
      push = pushNow;
      return () => (push = () => undefined);
    },
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const client of clients) client.close();
  gateway?.stop();
  feed?.stop();
  io?.close();
  await nc?.close();
  await db?.close();
  await database?.drop();
});

describe("live gateway", () => {
  it("refuses an anonymous connection with connect_error 'unauthorized'", async () => {
    await expect(connect()).rejects.toThrow("unauthorized");
    await expect(connect("forged")).rejects.toThrow("unauthorized");
  });

  it("refuses a subscription from a principal without a role", async () => {
    const client = await connect("ingest");
    expect(await subscribe(client, { metric: "api_requests", resolution: "10s" })).toMatchObject({
      ok: false,
      error: { code: "forbidden" },
    });
  });

  it.each([
    ["a wrong type", { metric: 42, resolution: "10s" }, "invalid_request", "metric"],
    ["an unknown resolution", { metric: "api_requests", resolution: "5s" }, "invalid_request", "resolution"],
    ["an extra field", { metric: "api_requests", resolution: "10s", x: 1 }, "invalid_request", undefined],
    ["no object at all", "subscribe me", "invalid_request", undefined],
    ["an unknown metric", { metric: "nope", resolution: "10s" }, "unknown_metric", "metric"],
    [
      "a foreign group-by",
      { metric: "api_requests", resolution: "1m", groupBy: "country" },
      "invalid_request",
      "groupBy",
    ],
  ])("answers %s with an error ack naming the field", async (_name, request, code, field) => {
    const client = await connect("viewer");
    const ack = await subscribe(client, request);
    expect(ack.ok).toBe(false);
    if (ack.ok) return;
    expect(ack.error.code).toBe(code);
    expect(ack.error.field).toBe(field);
    expect(client.connected).toBe(true);
  });

  it("lets a viewer, not a role-less principal, follow the pipeline; unsubscribing is acked", async () => {
    const viewer = await connect("viewer");
    const ingestKey = await connect("ingest");
    const pipeline = (client: Client) =>
      new Promise<unknown>((resolve) => client.emit("pipeline:subscribe", resolve));
    expect(await pipeline(viewer)).toEqual({ ok: true, stats: null });
    expect(await pipeline(ingestKey)).toMatchObject({ ok: false, error: { code: "forbidden" } });
    const unsubscribe = (request: unknown) =>
      new Promise<unknown>((resolve) => viewer.emit("live:unsubscribe", request, resolve));
    expect(await unsubscribe({ subscription: "api_requests|10s|" })).toEqual({ ok: true });
    expect(await unsubscribe({ nope: 1 })).toMatchObject({
      ok: false,
      error: { code: "invalid_request", field: "subscription" },
    });
  });

  it("limits subscriptions per connection", async () => {
    const client = await connect("viewer");
    for (const metric of ["api_requests", "api_errors", "api_latency"])
      expect((await subscribe(client, { metric, resolution: "10s" })).ok).toBe(true);
    // Subscribing again to one already held is not a new subscription.
    expect((await subscribe(client, { metric: "api_errors", resolution: "10s" })).ok).toBe(true);
    expect(await subscribe(client, { metric: "signups", resolution: "10s" })).toMatchObject({
      ok: false,
      error: { code: "too_many_subscriptions" },
    });
  });

  it("acks with a snapshot of the stored history, then pushes numbered coalesced updates", async () => {
    const client = await connect("viewer");
    const bystander = await connect("viewer");
    const ack = await subscribe(client, { metric: "api_requests", resolution: "10s", groupBy: "route" });
    expect(ack.ok).toBe(true);
    if (!ack.ok) return;
    const { snapshot } = ack;
    expect(snapshot.subscription).toBe("api_requests|10s|route");
    expect(snapshot.watermark).toBe(T + 11_000);
    expect(snapshot.buckets.map((b) => [b.bucketStart - T, b.groupKey, b.summary.count, b.state])).toEqual([
      [0, "/cart", 2, "final"],
      [10_000, "/pay", 1, "open"],
    ]);
    const minute = await subscribe(client, { metric: "api_latency", resolution: "1m" });
    expect(
      minute.ok && minute.snapshot.buckets.map((b) => [b.groupKey, b.summary.count, b.summary.max]),
    ).toEqual([["", 3, 30]]);

    const updates: LiveUpdate[] = [];
    client.on("live:update", (update) => {
      if (update.subscription === snapshot.subscription) updates.push(update);
    });
    const seen: LiveUpdate[] = [];
    bystander.on("live:update", (update) => seen.push(update));
    void subscribe(bystander, { metric: 7 });
    const summary = (count: number) => ({
      ...(snapshot.buckets[1]?.summary ?? countOnlySummary(0)),
      count,
    });
    const batches: LiveBatch[] = [4, 5, 6].map((batchSeq) => ({
      consumer: "p",
      batchSeq: batchSeq - 2,
      total: 3 + batchSeq,
      tooLateTotal: 0,
      watermark: T + 11_000,
      rates: [],
      buckets: [
        {
          metric: "api_requests",
          resolution: "10s",
          bucketStart: T + 10_000,
          groupKey: "/pay",
          state: "open",
          summary: summary(batchSeq - 2),
        },
      ],
      committedAt: T,
    }));
    nc.publish(liveSubject, "garbage that must not reach clients");
    for (const batch of batches) nc.publish(liveSubject, JSON.stringify(batch));
    // All three batches are in the feed's store before the next push.
    await eventually(
      async () => (storedCount(T + 10_000, "/pay") === 4 ? true : undefined),
      5_000,
      "the last batch in the store",
    );
    await roundTrip(client);
    expect(updates).toEqual([]); // nothing is pushed between pushes
    push();
    await roundTrip(client);
    await roundTrip(bystander);
    // Three batches between two pushes arrive as one update, numbered after the snapshot,
    // holding the bucket as it stood at the push.
    expect(updates).toHaveLength(1);
    const [update] = updates;
    expect(update?.subscription).toBe("api_requests|10s|route");
    expect(update?.seq).toBe(snapshot.seq + 1);
    expect(update?.buckets.map((b) => [b.bucketStart - T, b.groupKey, b.summary.count])).toEqual([
      [10_000, "/pay", 4],
    ]);
    push();
    await roundTrip(client);
    expect(updates).toHaveLength(1); // an unchanged room gets nothing
    expect(seen).toEqual([]);
  });

  it("never lets concurrent subscribes exceed the limit", async () => {
    const client = await connect("viewer");
    const requests = ["api_requests", "api_errors", "api_latency", "signups", "page_views"].flatMap(
      (metric) => (["10s", "1m"] as const).map((resolution) => ({ metric, resolution })),
    );
    // All emitted before any ack: each check runs while the others wait for the feed.
    const acks = await Promise.all(requests.map((request) => subscribe(client, request)));
    expect(acks.filter((a) => a.ok)).toHaveLength(3);
    expect(acks.filter((a) => !a.ok && a.error.code === "too_many_subscriptions")).toHaveLength(7);
    // The refused ones hold no slot: unsubscribing one held frees exactly one.
    const held = acks.flatMap((a) => (a.ok ? [a.snapshot.subscription] : []));
    await new Promise((resolve) => client.emit("live:unsubscribe", { subscription: held[0] }, resolve));
    const again = await Promise.all(requests.slice(0, 6).map((request) => subscribe(client, request)));
    expect(again.filter((a) => a.ok)).toHaveLength(3);
  });

  it("keeps a burst of 100 000 groups to the top 20 + (other), in the store, snapshots and updates", async () => {
    const GROUPS = 100_000;
    const start = T + 30_000;
    const watcher = await connect("viewer");
    const early = await subscribe(watcher, { metric: "api_requests", resolution: "10s", groupBy: "route" });
    expect(early.ok).toBe(true);
    const updates: LiveUpdate[] = [];
    watcher.on("live:update", (update) => updates.push(update));
    const sizeBefore = feed.store.size;
    // Every group once, then two grow; the all-groups row counts everything (computed here).
    const counts = new Map<string, number>();
    for (let i = 0; i < GROUPS; i++) counts.set(`/r${i}`, 1);
    const bucketOf = (groupKey: string, count: number) => ({
      metric: "api_requests",
      resolution: "10s" as const,
      bucketStart: start,
      groupKey,
      state: "open" as const,
      summary: countOnlySummary(count),
    });
    const keys = [...counts.keys()];
    const chunks: string[][] = [];
    for (let i = 0; i < keys.length; i += 2_000) chunks.push(keys.slice(i, i + 2_000));
    let total = 0;
    let seq = 0;
    const publish = (groups: Array<[string, number]>, added: number) => {
      total += added;
      const batch: LiveBatch = {
        consumer: "burst",
        batchSeq: ++seq,
        total,
        tooLateTotal: 0,
        watermark: null,
        rates: [],
        buckets: [bucketOf("", total), ...groups.map(([g, n]) => bucketOf(g, n))],
        committedAt: T,
      };
      nc.publish(liveSubject, JSON.stringify(batch));
    };
    for (const chunk of chunks)
      publish(
        chunk.map((g) => [g, 1]),
        chunk.length,
      );
    counts.set("/r77777", 50);
    counts.set("/r5", 30);
    publish(
      [
        ["/r77777", 50],
        ["/r5", 30],
      ],
      49 + 29,
    );
    await eventually(
      async () =>
        feed.store.select("api_requests", "10s", false).find((b) => b.bucketStart === start)?.summary
          .count === total
          ? true
          : undefined,
      20_000,
      "the burst to be applied",
    );
    expect(feed.store.size - sizeBefore).toBeLessThanOrEqual(21 + 1);

    const reader = await connect("viewer");
    const ack = await subscribe(reader, { metric: "api_requests", resolution: "10s", groupBy: "route" });
    if (!ack.ok) throw new Error(ack.error.message);
    const atStart = ack.snapshot.buckets.filter((b) => b.bucketStart === start);
    const ranked = [...counts.values()].sort((a, b) => b - a);
    const shown = ranked.slice(0, 20);
    expect(atStart.map((b) => b.summary.count)).toEqual([...shown, total - shown.reduce((x, y) => x + y, 0)]);
    expect(atStart.slice(0, 2).map((b) => b.groupKey)).toEqual(["/r77777", "/r5"]);
    expect(atStart.at(-1)?.groupKey).toBe("(other)");
    expect(total).toBe(GROUPS + 49 + 29);
    // Bounded: the whole snapshot, all bucket starts of 15 minutes, stays small.
    expect(JSON.stringify(ack).length).toBeLessThan(64 * 1024);

    push();
    await roundTrip(watcher);
    expect(updates.some((u) => u.buckets.some((b) => b.groupKey === "/r77777"))).toBe(true);
    for (const update of updates) {
      const perStart = new Map<number, number>();
      for (const b of update.buckets) perStart.set(b.bucketStart, (perStart.get(b.bucketStart) ?? 0) + 1);
      expect(Math.max(0, ...perStart.values())).toBeLessThanOrEqual(21);
    }
  });
});
