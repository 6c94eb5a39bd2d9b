/**
 * Fan-out case of the bench (`npm run bench -- --case fanout [--clients N] [--rate R]
 * [--seconds S]`): the real processor and web roles as child processes, N Socket.IO clients
 * in another process, and a steady stream of events published to JetStream. Reports event
 * time → client receive latency (p50/p99), update messages delivered per second, and the
 * web process's CPU and RSS. JSON goes to bench/results/<stamp>-fanout.json.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { writeFileSync, mkdirSync } from "node:fs";
import { createInterface } from "node:readline";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { jetstream, type JetStreamClient } from "@nats-io/jetstream";
import pg from "pg";
import { natsNames } from "../server/config";
import { connectNats, eventSubject, setupEventStream } from "../server/nats/streams";
import { createTestDatabase, deleteNamespace, NATS_URL, uniqueName } from "../server/testing/harness";
import { seedE2eAccess, sessionCookie } from "../e2e/access";
import { freePort, startRole, stopRole, waitForHealth } from "../e2e/stack";
import { cleanTraffic } from "./lib/publish";
import { CLOCK_TICKS, readCpuTicks, readMemory, readSystemCpu } from "./lib/proc";
import { spawnProcessor } from "./lib/processor-child";
import { percentile, round, sleep } from "./lib/stats";
import { nowcastTypes } from "../server/db/int8";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const log = (message: string) => console.log(`[bench:fanout] ${message}`);
const PROBE_METRIC = "bench_probe";

interface ClientResult {
  clients: number;
  connectedAtEnd: number;
  refused: number;
  disconnects: number;
  seconds: number;
  updates: number;
  cpuSeconds: number;
  latencies: number[];
}

function mergeClientResults(results: ClientResult[]) {
  const latencies = results.flatMap((r) => r.latencies).sort((a, b) => a - b);
  const sum = (pick: (r: ClientResult) => number) => results.reduce((total, r) => total + pick(r), 0);
  const seconds = Math.max(...results.map((r) => r.seconds));
  return {
    clients: sum((r) => r.clients),
    connectedAtEnd: sum((r) => r.connectedAtEnd),
    refused: sum((r) => r.refused),
    disconnects: sum((r) => r.disconnects),
    seconds,
    updates: sum((r) => r.updates),
    updatesPerSecond: round(sum((r) => r.updates) / seconds),
    clientProcesses: results.length,
    clientCpuSeconds: round(
      sum((r) => r.cpuSeconds),
      1,
    ),
    latencySamples: latencies.length,
    p50Ms: percentile(latencies, 0.5),
    p90Ms: percentile(latencies, 0.9),
    p99Ms: percentile(latencies, 0.99),
    maxMs: latencies.at(-1) ?? null,
  };
}

interface FanoutArgs {
  clientProcesses: number;
  clients: number;
  rate: number;
  seconds: number;
  label: string;
}

const NUMERIC_FLAGS: Record<string, "clients" | "rate" | "seconds" | "clientProcesses"> = {
  "--clients": "clients",
  "--rate": "rate",
  "--seconds": "seconds",
  "--client-processes": "clientProcesses",
};

export function parseFanoutArgs(argv: readonly string[]): FanoutArgs {
  const args: FanoutArgs = { clientProcesses: 4, clients: 1000, rate: 10_000, seconds: 20, label: "" };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (flag === "--case") i++;
    else if (flag !== undefined && NUMERIC_FLAGS[flag]) {
      const n = Number(value);
      if (!Number.isFinite(n) || n <= 0)
        throw new Error(`${flag} needs a positive number (got ${value ?? "nothing"})`);
      args[NUMERIC_FLAGS[flag]] = n;
      i++;
    } else if (flag === "--label") {
      args.label = value ?? "";
      i++;
    } else throw new Error(`unknown flag for --case fanout: ${flag}`);
  }
  return args;
}

/** Publishes `rate` events/s (plus a probe every 20 ms) with at most 2000 acks outstanding. */
async function publishSteady(
  js: JetStreamClient,
  namespace: string,
  rate: number,
  seconds: number,
  runId: string,
) {
  const generator = cleanTraffic(7, runId, 0);
  const inFlight = new Set<Promise<unknown>>();
  const start = Date.now();
  let sent = 0;
  let probes = 0;
  // Probes on their own timer, so a saturated publish loop does not thin them out.
  const prober = setInterval(() => {
    const now = Date.now();
    const probe = {
      id: `probe-${runId}-${probes++}`,
      type: "error",
      ts: now,
      value: now,
      attrs: { message: "probe", code: PROBE_METRIC },
    };
    void js.publish(eventSubject(namespace, "error"), JSON.stringify(probe), { msgID: probe.id });
  }, 20);
  while (Date.now() - start < seconds * 1000) {
    const due = Math.floor(((Date.now() - start) * rate) / 1000);
    while (sent < due && inFlight.size < 2000) {
      const message = generator.next(Date.now());
      const p = js.publish(eventSubject(namespace, message.type), message.body, { msgID: message.msgId });
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
      sent++;
    }
    if (inFlight.size >= 2000) await Promise.race(inFlight);
    else await sleep(2);
  }
  clearInterval(prober);
  await Promise.all(inFlight);
  const elapsed = (Date.now() - start) / 1000;
  return { published: sent, probes, seconds: elapsed, achievedRate: sent / elapsed };
}

export async function runFanout(argv: readonly string[]): Promise<void> {
  const args = parseFanoutArgs(argv);
  const startedAt = new Date();
  const cleanups: (() => Promise<unknown>)[] = [];
  try {
    const database = await createTestDatabase("nowcast_bench");
    cleanups.push(() => database.drop());
    const pool = new pg.Pool({ connectionString: database.url, types: nowcastTypes, max: 1 });
    cleanups.push(() => pool.end());
    await pool.query(
      `INSERT INTO metric_definitions (name, description, event_type, aggregation, field, filter, unit)
       VALUES ($1, 'bench: newest probe event time', 'error', 'max', 'value', $2, 'ms')`,
      [PROBE_METRIC, JSON.stringify([{ attr: "code", op: "eq", value: PROBE_METRIC }])],
    );
    const namespace = uniqueName("benchfan");
    const nc = await connectNats(NATS_URL, "nowcast-bench-fanout");
    cleanups.push(() => nc.close());
    await setupEventStream(nc, { namespace, dedupWindowSeconds: 120 });
    cleanups.push(() => deleteNamespace(namespace));
    const port = await freePort();
    const env = { DATABASE_URL: database.url, NATS_URL, NOWCAST_NAMESPACE: namespace, LOG_LEVEL: "warn" };
    const processor = spawnProcessor({ root: ROOT, env });
    cleanups.push(() => processor.stop());
    await seedE2eAccess(database.url);
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
    log(`web on ${baseUrl} (pid ${webPid}); opening ${args.clients} clients`);

    // Clients are spread over several processes: one Node process cannot parse 1000 sockets'
    // updates on a loaded 2-core box without queueing them, which would inflate the latency.
    const processes = Math.max(1, Math.min(args.clientProcesses, args.clients));
    const children = Array.from({ length: processes }, (_, i) => {
      const share = Math.floor(args.clients / processes) + (i < args.clients % processes ? 1 : 0);
      const child = spawn(
        process.execPath,
        ["--import", "tsx", "bench/lib/fanout-clients.ts", baseUrl, String(share), PROBE_METRIC],
        {
          cwd: ROOT,
          stdio: ["pipe", "pipe", "inherit"],
          env: { ...process.env, NOWCAST_BENCH_COOKIE: cookie },
        },
      );
      cleanups.push(async () => void child.kill());
      const lines = createInterface({ input: child.stdout });
      return { child, nextLine: () => new Promise<string>((resolve) => lines.once("line", resolve)) };
    });
    const readies = (await Promise.all(children.map((c) => c.nextLine()))).map(
      (line) => JSON.parse(line) as { ready: number; refused: number },
    );
    const ready = readies.reduce((a, b) => ({ ready: a.ready + b.ready, refused: a.refused + b.refused }));
    log(
      `${ready.ready} clients subscribed in ${processes} processes (${ready.refused} refused); publishing ${args.rate}/s for ${args.seconds} s`,
    );

    await sleep(2_000);
    const memory: number[] = [];
    const sampler = setInterval(() => {
      const m = readMemory(webPid);
      if (m) memory.push(m.rssKb);
    }, 500);
    const cpuStart = { ticks: readCpuTicks(webPid) ?? 0, at: performance.now(), machine: readSystemCpu() };
    for (const c of children) c.child.stdin?.write("start\n");
    const published = await publishSteady(jetstream(nc), namespace, args.rate, args.seconds, namespace);
    await sleep(1_000);
    const cpuEnd = { ticks: readCpuTicks(webPid) ?? 0, at: performance.now(), machine: readSystemCpu() };
    const machineBusyCores =
      ((cpuEnd.machine.busy - cpuStart.machine.busy) /
        Math.max(1, cpuEnd.machine.total - cpuStart.machine.total)) *
      os.cpus().length;
    clearInterval(sampler);
    const stopped = children.map((c) => c.nextLine());
    for (const c of children) c.child.stdin?.write("stop\n");
    const delivered = mergeClientResults(
      (await Promise.all(stopped)).map((line) => JSON.parse(line) as ClientResult),
    );
    const stored = await pool.query<{ n: number }>("SELECT count(*)::int AS n FROM raw_events");
    const webCpuCores = (cpuEnd.ticks - cpuStart.ticks) / CLOCK_TICKS / ((cpuEnd.at - cpuStart.at) / 1000);
    const result = {
      schema: 1,
      case: "fanout",
      label: args.label,
      startedAt: startedAt.toISOString(),
      machine: {
        cpus: os.cpus().length,
        loadAverageAtStart: os.loadavg().map((v) => round(v, 2)),
        node: process.version,
      },
      args,
      publish: { ...published, achievedRate: round(published.achievedRate) },
      storedEvents: stored.rows[0]?.n ?? 0,
      machineBusyCores: round(machineBusyCores, 2),
      delivered,
      web: {
        cpuCores: round(webCpuCores, 2),
        rssMiBPeak: round(Math.max(0, ...memory) / 1024, 1),
        rssMiBMean: round(memory.reduce((a, b) => a + b, 0) / Math.max(1, memory.length) / 1024, 1),
      },
      method:
        "Probe events (one per 20 ms) carry their event time as value; a 'max' metric over them is subscribed by every client. " +
        "A client records receive time − newest probe time each time that grows. Clients also hold a grouped subscription (api_requests by route). " +
        "Web CPU from /proc/<pid>/stat over the publish window; RSS sampled every 500 ms.",
    };
    const dir = path.join(ROOT, "bench", "results");
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `${startedAt.toISOString().replace(/[:.]/g, "-")}-fanout.json`);
    writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    console.table({
      "target rate (events/s)": args.rate,
      "published rate (events/s)": round(published.achievedRate),
      "clients (connected at end)": `${delivered.clients} (${delivered.connectedAtEnd})`,
      "latency p50 (ms)": delivered.p50Ms,
      "latency p99 (ms)": delivered.p99Ms,
      "latency max (ms)": delivered.maxMs,
      "updates delivered/s": round(Number(delivered.updatesPerSecond)),
      "web CPU (cores)": round(webCpuCores, 2),
      "machine busy (cores of 2)": round(machineBusyCores, 2),
      "stored / published": `${stored.rows[0]?.n ?? 0} / ${published.published + published.probes}`,
      "web RSS peak (MiB)": result.web.rssMiBPeak,
    });
    log(`wrote ${path.relative(ROOT, file)}; ${natsNames(namespace).stream} removed at exit`);
  } finally {
    for (const step of cleanups.reverse()) await step().catch(() => undefined);
  }
}
