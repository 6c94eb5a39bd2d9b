import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { NatsConnection } from "@nats-io/transport-node";
import { Server } from "socket.io";
import { io as connectClient, type Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type {
  ClientToServerEvents,
  LiveBatch,
  RatesUpdate,
  ServerToClientEvents,
  SubscribeAck,
} from "../contract";
import { createDbClients, type DbClients } from "../db/clients";
import { commitBatch } from "../db/event-store";
import { createLogger } from "../log";
import { connectNats } from "../nats/streams";
import { createTestDatabase, eventually, NATS_URL, uniqueName, type TestDatabase } from "../testing/harness";
import { startLiveGateway, type LiveServer } from "./live-gateway";

const liveSubject = `${uniqueName("tgw")}.live.events`;
let database: TestDatabase;
let db: DbClients;
let nc: NatsConnection;
let http: HttpServer;
let io: LiveServer;
let gateway: { stop(): void };
let client: Socket<ServerToClientEvents, ClientToServerEvents>;

beforeAll(async () => {
  database = await createTestDatabase();
  db = createDbClients(database.url, { max: 2 });
  nc = await connectNats(NATS_URL, "gateway-test");
  http = createServer();
  io = new Server(http, { path: "/socket.io" });
  gateway = startLiveGateway({ io, nc, pool: db.pool, liveSubject, log: createLogger("web", "error") });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const { port } = http.address() as AddressInfo;
  client = connectClient(`http://127.0.0.1:${port}`, { path: "/socket.io", transports: ["websocket"] });
  await new Promise<void>((resolve) => client.on("connect", () => resolve()));
});

afterAll(async () => {
  client?.close();
  gateway?.stop();
  io?.close();
  await nc?.close();
  await db?.close();
  await database?.drop();
});

const subscribe = (request: unknown) =>
  new Promise<SubscribeAck>((resolve) => client.emit("rates:subscribe", request, resolve));

describe("live gateway", () => {
  it("answers a malformed subscription with an error ack", async () => {
    expect(await subscribe({ windowSeconds: "lots" })).toMatchObject({
      ok: false,
      error: { code: "invalid_request" },
    });
  });

  it("acks a subscription with a snapshot from Postgres, then pushes coalesced batches", async () => {
    const now = Date.now();
    await commitBatch(db.pool, {
      consumer: "p",
      streamSeq: 1,
      receivedAt: now,
      deadLetters: [],
      events: [
        {
          event: { id: "a", type: "signup", ts: now - 2000, v: 1, attrs: { user_id: "u" } },
          lateness: "on_time",
        },
      ],
      clock: { maxEventTime: now - 2000 },
      definitions: [],
    });
    const ack = await subscribe({ windowSeconds: 60 });
    expect(ack.ok).toBe(true);
    if (!ack.ok) return;
    expect(ack.snapshot.consumers).toEqual({ p: { batchSeq: 1, total: 1 } });
    expect(ack.snapshot.rates).toEqual([
      { t: Math.floor((now - 2000) / 1000) * 1000, type: "signup", count: 1 },
    ]);

    const updates: RatesUpdate[] = [];
    client.on("rates:update", (update) => updates.push(update));
    const batches: LiveBatch[] = [2, 3, 4].map((batchSeq) => ({
      consumer: "p",
      batchSeq,
      total: batchSeq,
      rates: [{ t: now, type: "signup", count: 1 }],
      tooLateTotal: 0,
      watermark: now - 5000,
      buckets: [],
      committedAt: now,
    }));
    nc.publish(liveSubject, "garbage that must not reach clients");
    for (const batch of batches) nc.publish(liveSubject, JSON.stringify(batch));
    await eventually(async () => (updates.flatMap((u) => u.batches).length === 3 ? true : undefined), 5_000);
    expect(updates.flatMap((u) => u.batches)).toEqual(batches);
    // Three publishes within one push interval arrive as one update.
    expect(updates.length).toBeLessThanOrEqual(2);
  });
});
