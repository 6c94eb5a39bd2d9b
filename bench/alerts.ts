/**
 * Alerts case of the bench (`npm run bench -- --case alerts [--samples N] [--rate R] [--cpu-only]`):
 *   (1) latency from a breaching event's publish to its stored transition (the alerter's
 *       notice, published after commit) and to the webhook's arrival at a local receiver, for
 *       an `open` and a `final` rule, while background traffic runs at R events/s (2,000);
 *       the processor and the alerter are real child processes, the scheduler's webhook
 *       sender runs in the bench;
 *   (2) evaluator CPU: full rounds of 1,000 rules × 20 groups over a live store, in-process.
 * JSON goes to bench/results/<stamp>-alerts.json.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { jetstream, type JetStreamClient } from "@nats-io/jetstream";
import { defaultRetention, natsNames } from "../server/config";
import { AlertNotice, AlertRuleSpec, type AlertRuleSpecInput } from "../server/contract";
import { createDbClients } from "../server/db/clients";
import { createLogger } from "../server/log";
import { connectNats, eventSubject, setupEventStream } from "../server/nats/streams";
import { startScheduler } from "../server/scheduler/scheduler";
import { startWebhooks } from "../server/scheduler/webhooks";
import { adminContext, MASTER_SECRET, seedLatencyRule, startReceiver } from "../server/testing/alert-stack";
import { createTestDatabase, deleteNamespace, NATS_URL, uniqueName } from "../server/testing/harness";
import { spawnRole, type ProcessorProcess } from "../server/testing/processor-process";
import { measureEvaluatorCpu, type CpuResult } from "./lib/alert-cpu";
import { percentile, round, sleep, waitFor } from "./lib/stats";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const log = (message: string) => console.log(`[bench:alerts] ${message}`);
const ROUTES = ["/api/cart", "/api/search", "/api/checkout", "/api/login", "/api/products", "/api/user"];

function parseAlertArgs(argv: readonly string[]) {
  const args = { samples: 8, rate: 2000, cpuOnly: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === "--case") i++;
    else if (flag === "--cpu-only") args.cpuOnly = true;
    else if (flag === "--samples" || flag === "--rate") {
      const n = Number(argv[++i]);
      if (!Number.isInteger(n) || n <= 0) throw new Error(`${flag} needs a positive integer`);
      args[flag === "--samples" ? "samples" : "rate"] = n;
    } else throw new Error(`unknown flag for --case alerts: ${flag}`);
  }
  return args;
}

/** Background api_request traffic at `rate`/s, published without waiting for each ack. */
function startTraffic(js: JetStreamClient, namespace: string, rate: number) {
  let stopped = false;
  let seq = 0;
  const started = Date.now();
  const done = (async () => {
    while (!stopped) {
      const due = Math.floor(((Date.now() - started) / 1000) * rate);
      const batch: Promise<unknown>[] = [];
      for (; seq < due && batch.length < 1000; seq++) {
        const id = `bg-${seq}`;
        const body = JSON.stringify({
          id,
          type: "api_request",
          ts: Date.now(),
          value: 40 + (seq % 80),
          attrs: { route: ROUTES[seq % ROUTES.length] ?? "/", method: "GET", status: 200 },
        });
        batch.push(js.publish(eventSubject(namespace, "api_request"), body, { msgID: id }));
      }
      await Promise.all(batch);
      await sleep(10);
    }
  })();
  return { stop: async () => ((stopped = true), await done), sent: () => seq };
}

interface Sample {
  basis: "open" | "final";
  publishToStored: number;
  publishToWebhook: number;
  /** final only: from the first moment the watermark could pass the bucket (end + out-of-orderness). */
  watermarkToStored: number | null;
}

const stats = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    n: sorted.length,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    max: sorted.at(-1) ?? null,
  };
};

async function runLatency(samples: number, rate: number) {
  const namespace = uniqueName("balert");
  const database = await createTestDatabase("nowcast_bench");
  const db = createDbClients(database.url, { max: 6 });
  const nc = await connectNats(NATS_URL, "bench-alerts");
  await setupEventStream(nc, { namespace, dedupWindowSeconds: 120 });
  const children: ProcessorProcess[] = [];
  const receiver = await startReceiver();
  const quiet = createLogger("bench", "error");
  const env = {
    DATABASE_URL: database.url,
    NATS_URL,
    NOWCAST_NAMESPACE: namespace,
    NOWCAST_AUTH_SECRET: MASTER_SECRET,
    LOG_LEVEL: "warn",
  };
  const scheduler = await startScheduler(
    { pool: db.pool, log: quiet },
    {
      databaseUrl: database.url,
      schema: natsNames(namespace).bossSchema,
      retryLimit: 1,
      retryDelaySeconds: 1,
      batch: {
        outOfOrdernessMs: 5_000,
        allowedLatenessMs: 600_000,
        reconcileWindowDays: 7,
        maxPerPlan: 10,
        retention: defaultRetention(),
      },
    },
  );
  const webhooks = await startWebhooks(scheduler.boss, db.pool, quiet, {
    databaseUrl: database.url,
    masterSecret: MASTER_SECRET,
    attempts: 3,
    retryDelaySeconds: 1,
    // The receiver listens on 127.0.0.1.
    allowPrivate: true,
  });
  try {
    // Max of one route's 10 s bucket: only the bench's breach events reach 9 s.
    const rule = (basis: "open" | "final"): Partial<AlertRuleSpecInput> => ({
      name: `bench ${basis}`,
      subject: { kind: "metric", metric: "api_latency", statistic: "max" },
      groupBy: "route",
      groups: [`/bench/${basis}`],
      bucket: "10s",
      windowMs: 10_000,
      basis,
      condition: { kind: "threshold", op: ">", threshold: 5_000 },
    });
    const ctx = adminContext(db.prisma);
    const open = await seedLatencyRule(ctx, db.pool, receiver.url, rule("open"));
    const { createRule } = await import("../server/alerts/rules-admin");
    const { loadDefinitions } = await import("../server/db/metric-definitions");
    const defs = new Map((await loadDefinitions(db.pool)).definitions.map((d) => [d.name, d]));
    const finalRule = await createRule(
      ctx,
      AlertRuleSpec.parse({
        ...AlertRuleSpec.parse({ ...rule("final"), windowMs: 10_000 }),
        channelIds: [open.channel.id],
      }),
      defs,
    );
    const ruleBasis = new Map([
      [open.rule.id, "open" as const],
      [finalRule.id, "final" as const],
    ]);
    children.push(spawnRole("processor", env));
    children.push(spawnRole("alerter", { ...env, LOG_LEVEL: "info" }));
    await waitFor(
      "alerter",
      () => (children[1]?.output().includes("evaluating alert rules") ? true : undefined),
      60_000,
      100,
    );

    const stored = new Map<string, number>();
    nc.subscribe(natsNames(namespace).alertSubject, {
      callback: (_e, m) => {
        const notice = AlertNotice.safeParse(m.json());
        if (notice.success && notice.data.to === "firing") stored.set(notice.data.ruleId, Date.now());
      },
    });
    const js = jetstream(nc);
    const traffic = startTraffic(js, namespace, rate);
    await sleep(15_000); // warm up: the pipeline at its steady rate
    const results: Sample[] = [];
    for (let i = 0; i < samples; i++) {
      // Publish mid-bucket so a sample never straddles a bucket boundary.
      const bucketMs = 10_000;
      const wait = bucketMs - (Date.now() % bucketMs) + 3_000;
      await sleep(wait);
      stored.clear();
      const hooksBefore = receiver.received.length;
      const publishedAt = Date.now();
      for (const basis of ["open", "final"] as const) {
        const id = `breach-${basis}-${i}`;
        const body = JSON.stringify({
          id,
          type: "api_request",
          ts: publishedAt,
          value: 9_000,
          attrs: { route: `/bench/${basis}`, method: "GET", status: 200 },
        });
        await js.publish(eventSubject(namespace, "api_request"), body, { msgID: id });
      }
      await waitFor(
        "both transitions and webhooks",
        () => {
          const firing = receiver.received
            .slice(hooksBefore)
            .filter((h) => h.body.includes('"state":"firing"'));
          return stored.size === 2 && firing.length >= 2 ? firing : undefined;
        },
        60_000,
        5,
      );
      const bucketEnd = Math.floor(publishedAt / bucketMs) * bucketMs + bucketMs;
      for (const [ruleId, at] of stored) {
        const basis = ruleBasis.get(ruleId) ?? "open";
        const hook = receiver.received
          .slice(hooksBefore)
          .find((h) => h.body.includes(ruleId) && h.body.includes('"state":"firing"'));
        results.push({
          basis,
          publishToStored: at - publishedAt,
          publishToWebhook: (hook?.arrivedAt ?? Number.NaN) - publishedAt,
          watermarkToStored: basis === "final" ? at - (bucketEnd + 5_000) : null,
        });
      }
      log(
        `sample ${i + 1}/${samples}: ${results
          .slice(-2)
          .map((r) => `${r.basis} ${r.publishToStored} ms / ${r.publishToWebhook} ms`)
          .join(", ")}`,
      );
    }
    const sent = traffic.sent();
    await traffic.stop();
    const by = (basis: "open" | "final") => results.filter((r) => r.basis === basis);
    return {
      rate,
      sent,
      open: {
        toStored: stats(by("open").map((r) => r.publishToStored)),
        toWebhook: stats(by("open").map((r) => r.publishToWebhook)),
      },
      final: {
        toStored: stats(by("final").map((r) => r.publishToStored)),
        toWebhook: stats(by("final").map((r) => r.publishToWebhook)),
        watermarkToStored: stats(by("final").map((r) => r.watermarkToStored ?? 0)),
      },
      samples: results,
    };
  } finally {
    for (const child of children) await child.kill().catch(() => undefined);
    await webhooks.stop();
    await scheduler.stop();
    await receiver.close();
    await nc.close();
    await deleteNamespace(namespace);
    await db.close();
    await database.drop();
  }
}

export async function runAlertsBench(argv: readonly string[]): Promise<void> {
  const args = parseAlertArgs(argv);
  const startedAt = new Date();
  log("evaluator CPU: 1,000 rules × 20 groups");
  const cpu: CpuResult = measureEvaluatorCpu({ rules: 1000, groups: 20, rounds: 30 });
  log(`CPU per full round: ${round(cpu.cpuMsPerRound, 1)} ms (${cpu.instancesPerRound} instances)`);
  if (args.cpuOnly) process.exit(0);
  log(`latency at ${args.rate} events/s, ${args.samples} samples per basis`);
  const latency = await runLatency(args.samples, args.rate);
  const result = {
    schema: 1,
    case: "alerts",
    startedAt: startedAt.toISOString(),
    machine: { cpus: os.cpus().length, load: os.loadavg() },
    cpu,
    latency,
  };
  const ms = (v: number | null) => (v === null ? "—" : `${round(v)} ms`);
  console.log("");
  console.log(`| measure (${args.rate} events/s background) | p50 | p99 | max | n |`);
  console.log("|---|---|---|---|---|");
  const row = (name: string, s: ReturnType<typeof stats>) =>
    console.log(`| ${name} | ${ms(s.p50)} | ${ms(s.p99)} | ${ms(s.max)} | ${s.n} |`);
  row("open: publish → stored transition", latency.open.toStored);
  row("open: publish → webhook arrival", latency.open.toWebhook);
  row("final: publish → stored transition", latency.final.toStored);
  row("final: watermark passes → stored", latency.final.watermarkToStored);
  row("final: publish → webhook arrival", latency.final.toWebhook);
  console.log("");
  console.log(`| evaluator (1,000 rules × 20 groups) | value |`);
  console.log("|---|---|");
  console.log(`| CPU per full round | ${round(cpu.cpuMsPerRound, 1)} ms |`);
  console.log(`| cores at 1 round/s (the tick) | ${round(cpu.coresAtOneRoundPerSecond, 3)} |`);
  console.log(`| cores at 1 round/s + 5 metric-touched rounds/s | ${round(cpu.coresWithBatches, 3)} |`);
  console.log(`| instances evaluated per round | ${cpu.instancesPerRound} |`);
  mkdirSync(path.join(ROOT, "bench", "results"), { recursive: true });
  const file = path.join(
    ROOT,
    "bench",
    "results",
    `${startedAt.toISOString().replace(/[:.]/g, "-")}-alerts.json`,
  );
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  log(`wrote ${path.relative(ROOT, file)}`);
  process.exit(0);
}
