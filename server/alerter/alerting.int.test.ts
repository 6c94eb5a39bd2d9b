// The whole alerting path against real NATS, Postgres and a local HTTP receiver: events the
// processor stores drive the alerter (its live batches), transitions are stored once, and the
// scheduler delivers each as one signed webhook, retrying a 500.
import type { NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultRetention, natsNames } from "../config";
import { WebhookPayload } from "../contract";
import { createDbClients, type DbClients } from "../db/clients";
import { createLogger } from "../log";
import { connectNats, setupEventStream } from "../nats/streams";
import { startProcessor, type Processor } from "../processor/processor";
import { startScheduler, type Scheduler } from "../scheduler/scheduler";
import { startWebhooks } from "../scheduler/webhooks";
import {
  adminContext,
  alerterOptions,
  MASTER_SECRET,
  publishLatencies,
  seedLatencyRule,
  startReceiver,
  transitions,
  validSignature,
} from "../testing/alert-stack";
import {
  createTestDatabase,
  deleteNamespace,
  eventually,
  NATS_URL,
  testProcessorOptions,
  uniqueName,
  type TestDatabase,
} from "../testing/harness";
import { startAlerter, type Alerter } from "./alerter";

const namespace = uniqueName("talert");
const log = createLogger("test", "error");
let database: TestDatabase;
let db: DbClients;
let nc: NatsConnection;
let processor: Processor;
let scheduler: Scheduler;
let webhooks: { stop(): Promise<void> };
const alerters: Alerter[] = [];
let receiver: Awaited<ReturnType<typeof startReceiver>>;

beforeAll(async () => {
  database = await createTestDatabase();
  db = createDbClients(database.url, { max: 6 });
  nc = await connectNats(NATS_URL, "alerting-test");
  await setupEventStream(nc, { namespace, dedupWindowSeconds: 60 });
  processor = await startProcessor(
    { nc, pool: db.pool, log, databaseUrl: database.url },
    testProcessorOptions(namespace, { batchWaitMs: 10 }),
  );
  scheduler = await startScheduler(
    { pool: db.pool, log },
    {
      databaseUrl: database.url,
      schema: natsNames(namespace).bossSchema,
      retryLimit: 2,
      retryDelaySeconds: 1,
      pollingIntervalSeconds: 0.5,
      batch: {
        outOfOrdernessMs: 5_000,
        allowedLatenessMs: 600_000,
        reconcileWindowDays: 7,
        maxPerPlan: 10,
        retention: defaultRetention(),
      },
    },
  );
  webhooks = await startWebhooks(scheduler.boss, db.pool, log, {
    databaseUrl: database.url,
    masterSecret: MASTER_SECRET,
    attempts: 4,
    retryDelaySeconds: 1,
    // The receiver listens on 127.0.0.1.
    allowPrivate: true,
  });
  // The first webhook answers 500: it must be retried and then succeed once.
  receiver = await startReceiver([500]);
});

afterAll(async () => {
  for (const a of alerters) await a.stop();
  await webhooks?.stop();
  await scheduler?.stop();
  await processor?.stop();
  await receiver?.close();
  await nc?.close();
  await deleteNamespace(namespace);
  await db?.close();
  await database?.drop();
});

describe("alerting on the stream", () => {
  it("fires and resolves from published events; two evaluators store and notify each transition once", async () => {
    const { rule } = await seedLatencyRule(adminContext(db.prisma), db.pool, receiver.url);
    // Two evaluators at once: the slots' advisory locks let only one act.
    for (let i = 0; i < 2; i++) {
      const alerter = startAlerter({ nc, pool: db.pool, log }, alerterOptions(namespace, database.url));
      alerters.push(alerter);
      await alerter.ready;
    }
    expect(alerters.map((a) => a.leases.slots.length).sort()).toEqual([0, 16]);

    await publishLatencies(nc, namespace, [900], "breach");
    await eventually(
      async () => ((await transitions(db.pool)).includes("normal>firing") ? true : undefined),
      20_000,
      "firing",
    );
    // Low latencies bring the average of the open minute under the threshold.
    await publishLatencies(
      nc,
      namespace,
      Array.from({ length: 99 }, () => 10),
      "calm",
    );
    await eventually(
      async () => ((await transitions(db.pool)).includes("firing>normal") ? true : undefined),
      20_000,
      "resolved",
    );
    expect(await transitions(db.pool)).toEqual(["normal>firing", "firing>normal"]);

    // Both notifications arrive, the first after a 500 and one retry; each succeeds exactly once.
    const succeeded = await eventually(
      async () => {
        const ok = receiver.received.filter((h) => h.status === 200);
        return ok.length >= 2 ? ok : undefined;
      },
      20_000,
      "two successful webhooks",
    );
    expect(receiver.received.map((h) => h.status)).toEqual([500, 200, 200]);
    for (const hook of receiver.received) expect(validSignature(hook)).toBe(true);
    const { rows: events } = await db.pool.query<{ id: string; to_state: string }>(
      `SELECT id, to_state FROM alert_events WHERE kind = 'transition' ORDER BY seq`,
    );
    expect(new Set(succeeded.map((h) => h.headers["idempotency-key"]))).toEqual(
      new Set(events.map((e) => e.id)),
    );
    // The retried one arrives last: order by the transition's time.
    const bodies = succeeded
      .map((h) => WebhookPayload.parse(JSON.parse(h.body)))
      .sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
    expect(bodies.map((b) => [b.previous, b.state])).toEqual([
      ["normal", "firing"],
      ["firing", "normal"],
    ]);
    expect(bodies[0]).toMatchObject({
      rule: { id: rule.id, name: "API latency" },
      value: 900,
      threshold: 500,
    });
    const { rows: deliveries } = await db.pool.query<{
      status: string;
      attempts: number;
      last_status_code: number;
    }>(`SELECT status, attempts, last_status_code FROM alert_deliveries ORDER BY created_at`);
    // Whichever delivery was sent first met the 500 (both may be queued at once): one of them
    // took two attempts, the other one.
    expect(deliveries.map((d) => [d.status, d.last_status_code])).toEqual([
      ["succeeded", 200],
      ["succeeded", 200],
    ]);
    expect(deliveries.map((d) => d.attempts).sort()).toEqual([1, 2]);
  });

  it("a metric disabled under a live rule puts it in error with the reason, and back when enabled", async () => {
    await db.pool.query(`UPDATE metric_definitions SET enabled = false WHERE name = 'api_latency'`);
    const reason = await eventually(
      async () => {
        const { rows } = await db.pool.query<{ reason: string }>(
          `SELECT reason FROM alert_events WHERE to_state = 'error' AND kind = 'transition'`,
        );
        return rows[0]?.reason;
      },
      20_000,
      "the error transition",
    );
    expect(reason).toBe('subject.metric: metric "api_latency" is disabled');
    await db.pool.query(`UPDATE metric_definitions SET enabled = true WHERE name = 'api_latency'`);
    await eventually(
      async () => ((await transitions(db.pool)).at(-1) === "error>normal" ? true : undefined),
      20_000,
      "back to normal",
    );
    expect(await transitions(db.pool)).toEqual([
      "normal>firing",
      "firing>normal",
      "normal>error",
      "error>normal",
    ]);
  });
});
