/**
 * Snapshot-burst case of the bench (`npm run bench -- --case snapshot-burst [--groups N]
 * [--subscribers S]`), the situation of issue 10 item 9: a high-cardinality burst (N
 * `api_request` events, each with its own route) goes through the real processor, then S
 * Socket.IO clients subscribe to `api_requests` by route at once. Reports the snapshot size per
 * subscriber, the web process's RSS before the burst, after it and at its peak while the
 * snapshots are sent, and `/api/health` latency meanwhile. Needs `npm run build` (the web role
 * runs the production build). JSON goes to bench/results/<stamp>-snapshot-burst.json.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { jetstream } from "@nats-io/jetstream";
import pg from "pg";
import { io, type Socket } from "socket.io-client";
import type { ClientToServerEvents, LiveSubscribeAck, ServerToClientEvents } from "../server/contract";
import { connectNats, eventSubject, setupEventStream } from "../server/nats/streams";
import { createTestDatabase, deleteNamespace, NATS_URL, uniqueName } from "../server/testing/harness";
import { seedE2eAccess, sessionCookie } from "../e2e/access";
import { freePort, startRole, stopRole, waitForHealth } from "../e2e/stack";
import { readMemory } from "./lib/proc";
import { spawnProcessor } from "./lib/processor-child";
import { percentile, round, sleep, waitFor } from "./lib/stats";
import { nowcastTypes } from "../server/db/int8";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const log = (message: string) => console.log(`[bench:snapshot-burst] ${message}`);
type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

export function parseBurstArgs(argv: readonly string[]): { groups: number; subscribers: number } {
  const args = { groups: 100_000, subscribers: 10 };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === "--case") i++;
    else if (flag === "--groups" || flag === "--subscribers") {
      const n = Number(argv[++i]);
      if (!Number.isInteger(n) || n <= 0) throw new Error(`${flag} needs a positive integer`);
      args[flag === "--groups" ? "groups" : "subscribers"] = n;
    } else throw new Error(`unknown flag for --case snapshot-burst: ${flag}`);
  }
  return args;
}

/** Publishes `groups` api_request events now, each on its own route, with ≤ 2000 acks outstanding. */
async function publishBurst(nc: Awaited<ReturnType<typeof connectNats>>, namespace: string, groups: number) {
  const js = jetstream(nc);
  const inFlight = new Set<Promise<unknown>>();
  const ts = Date.now();
  for (let i = 0; i < groups; i++) {
    const event = {
      id: `burst-${namespace}-${i}`,
      type: "api_request",
      ts,
      value: 10 + (i % 90),
      attrs: { route: `/burst/${i}`, method: "GET", status: 200 },
    };
    const p = js.publish(eventSubject(namespace, "api_request"), JSON.stringify(event), { msgID: event.id });
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
    if (inFlight.size >= 2000) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
}

/** Opens one client and subscribes by route; resolves with the ack's size in bytes. */
function subscribeOnce(
  baseUrl: string,
  cookie: string,
): Promise<{ bytes: number; buckets: number; client: Client }> {
  return new Promise((resolve, reject) => {
    const client: Client = io(baseUrl, {
      path: "/socket.io",
      transports: ["websocket"],
      reconnection: false,
      extraHeaders: { cookie },
    });
    client.once("connect_error", reject);
    client.once("connect", () =>
      client.emit(
        "live:subscribe",
        { metric: "api_requests", resolution: "10s", groupBy: "route" },
        (ack: LiveSubscribeAck) =>
          resolve({
            bytes: JSON.stringify(ack).length,
            buckets: ack.ok ? ack.snapshot.buckets.length : -1,
            client,
          }),
      ),
    );
  });
}

/** Times GET /api/health every 100 ms until `done` settles. */
async function healthWhile(baseUrl: string, done: Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  let finished = false;
  void done.finally(() => (finished = true));
  while (!finished) {
    const started = performance.now();
    await fetch(`${baseUrl}/api/health`).catch(() => undefined);
    times.push(performance.now() - started);
    await sleep(100);
  }
  return times;
}

export async function runSnapshotBurst(argv: readonly string[]): Promise<void> {
  const args = parseBurstArgs(argv);
  const startedAt = new Date();
  const cleanups: (() => Promise<unknown>)[] = [];
  try {
    const database = await createTestDatabase("nowcast_bench");
    cleanups.push(() => database.drop());
    const pool = new pg.Pool({ connectionString: database.url, types: nowcastTypes, max: 1 });
    cleanups.push(() => pool.end());
    const namespace = uniqueName("benchburst");
    const nc = await connectNats(NATS_URL, "nowcast-bench-burst");
    cleanups.push(() => nc.close());
    await setupEventStream(nc, { namespace, dedupWindowSeconds: 120 });
    cleanups.push(() => deleteNamespace(namespace));
    const env = { DATABASE_URL: database.url, NATS_URL, NOWCAST_NAMESPACE: namespace, LOG_LEVEL: "warn" };
    const processor = spawnProcessor({ root: ROOT, env });
    cleanups.push(() => processor.stop());
    await seedE2eAccess(database.url);
    const port = await freePort();
    const web = await startRole("web", {
      ...env,
      NODE_ENV: "production",
      PORT: String(port),
      HOST: "127.0.0.1",
      NOWCAST_AUTH_SECRET: randomBytes(32).toString("hex"),
    });
    cleanups.push(() => stopRole(web));
    const baseUrl = `http://127.0.0.1:${port}`;
    await waitForHealth(baseUrl, web);
    const webPid = web.pid ?? 0;
    const cookie = await sessionCookie(baseUrl, "viewer");
    await sleep(2_000);
    const rssBefore = readMemory(webPid)?.rssKb ?? 0;

    log(`publishing ${args.groups} events on ${args.groups} routes`);
    await publishBurst(nc, namespace, args.groups);
    const stored = async () =>
      (await pool.query<{ n: number }>("SELECT count(*)::int AS n FROM raw_events")).rows[0]?.n ?? 0;
    await waitFor(
      "the processor to store the burst",
      async () => ((await stored()) >= args.groups ? true : undefined),
      300_000,
    );
    await sleep(2_000);
    const rssAfterBurst = readMemory(webPid)?.rssKb ?? 0;

    log(`${args.subscribers} clients subscribe to api_requests by route at once`);
    let peak = rssAfterBurst;
    const sampler = setInterval(() => (peak = Math.max(peak, readMemory(webPid)?.rssKb ?? 0)), 50);
    const subscribed = Promise.all(
      Array.from({ length: args.subscribers }, () => subscribeOnce(baseUrl, cookie)),
    );
    const health = await healthWhile(baseUrl, subscribed);
    const acks = await subscribed;
    await sleep(1_000);
    clearInterval(sampler);
    for (const ack of acks) ack.client.close();

    const result = {
      schema: 1,
      case: "snapshot-burst",
      startedAt: startedAt.toISOString(),
      machine: {
        cpus: os.cpus().length,
        loadAverageAtStart: os.loadavg().map((v) => round(v, 2)),
        node: process.version,
      },
      args,
      storedEvents: await stored(),
      snapshot: {
        bytes: Math.max(...acks.map((a) => a.bytes)),
        buckets: Math.max(...acks.map((a) => a.buckets)),
      },
      web: {
        rssMiBBefore: round(rssBefore / 1024, 1),
        rssMiBAfterBurst: round(rssAfterBurst / 1024, 1),
        rssMiBPeakWhileSubscribing: round(peak / 1024, 1),
      },
      healthMs: {
        samples: health.length,
        p50: round(
          percentile(
            [...health].sort((a, b) => a - b),
            0.5,
          ) ?? 0,
          1,
        ),
        max: round(Math.max(0, ...health), 1),
      },
    };
    const dir = path.join(ROOT, "bench", "results");
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `${startedAt.toISOString().replace(/[:.]/g, "-")}-snapshot-burst.json`);
    writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    console.table({
      "groups in the burst": args.groups,
      subscribers: args.subscribers,
      "snapshot (bytes)": result.snapshot.bytes,
      "snapshot (buckets)": result.snapshot.buckets,
      "web RSS before (MiB)": result.web.rssMiBBefore,
      "web RSS after burst (MiB)": result.web.rssMiBAfterBurst,
      "web RSS peak subscribing (MiB)": result.web.rssMiBPeakWhileSubscribing,
      "/api/health p50 / max (ms)": `${result.healthMs.p50} / ${result.healthMs.max}`,
    });
    log(`wrote ${path.relative(ROOT, file)}`);
  } finally {
    for (const step of cleanups.reverse()) await step().catch(() => undefined);
  }
}
