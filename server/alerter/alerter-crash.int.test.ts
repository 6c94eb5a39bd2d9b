// kill -9 of the real alerter role (a child process) while an alert fires: the next alerter
// rebuilds from the stored instance and the live seed, records the resolution once, and no
// transition or notification is lost or repeated.
import type { NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDbClients, type DbClients } from "../db/clients";
import { createLogger } from "../log";
import { connectNats, setupEventStream } from "../nats/streams";
import { startProcessor, type Processor } from "../processor/processor";
import {
  adminContext,
  MASTER_SECRET,
  publishLatencies,
  seedLatencyRule,
  transitions,
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
import { spawnRole, type ProcessorProcess } from "../testing/processor-process";

const namespace = uniqueName("tacrash");
const log = createLogger("test", "error");
let database: TestDatabase;
let db: DbClients;
let nc: NatsConnection;
let processor: Processor;
const children: ProcessorProcess[] = [];

const spawnAlerter = () => {
  const child = spawnRole("alerter", {
    DATABASE_URL: database.url,
    NATS_URL,
    NOWCAST_NAMESPACE: namespace,
    NOWCAST_AUTH_SECRET: MASTER_SECRET,
    ALERT_TICK_MS: "500",
    ALERT_REFRESH_MS: "500",
    LOG_LEVEL: "info",
  });
  children.push(child);
  return child;
};

const ready = (child: ProcessorProcess) =>
  eventually(
    async () => (child.output().includes("evaluating alert rules") ? true : undefined),
    60_000,
    "alerter ready",
  );

beforeAll(async () => {
  database = await createTestDatabase();
  db = createDbClients(database.url, { max: 4 });
  nc = await connectNats(NATS_URL, "alerter-crash-test");
  await setupEventStream(nc, { namespace, dedupWindowSeconds: 60 });
  processor = await startProcessor(
    { nc, pool: db.pool, log, databaseUrl: database.url },
    testProcessorOptions(namespace, { batchWaitMs: 10 }),
  );
});

afterAll(async () => {
  for (const child of children) if (child.running()) await child.kill();
  await processor?.stop();
  await nc?.close();
  await deleteNamespace(namespace);
  await db?.close();
  await database?.drop();
});

describe("alerter crash", () => {
  it("kill -9 while firing loses no transition and repeats none", async () => {
    await seedLatencyRule(adminContext(db.prisma), db.pool, "http://127.0.0.1:9/unused");
    const first = spawnAlerter();
    await ready(first);
    await publishLatencies(nc, namespace, [900], "breach");
    await eventually(
      async () => ((await transitions(db.pool)).length === 1 ? true : undefined),
      30_000,
      "firing",
    );
    await first.kill();

    // While no alerter runs the latency falls; a new one must notice it once, from storage.
    await publishLatencies(
      nc,
      namespace,
      Array.from({ length: 99 }, () => 10),
      "calm",
    );
    const second = spawnAlerter();
    await ready(second);
    await eventually(
      async () => ((await transitions(db.pool)).length === 2 ? true : undefined),
      30_000,
      "resolved",
    );
    // A few more ticks: nothing else may be recorded.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(await transitions(db.pool)).toEqual(["normal>firing", "firing>normal"]);
    const { rows } = await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM alert_deliveries`);
    expect(rows[0]?.n).toBe(2);
    expect(second.output(), "the second alerter logged no failure").not.toMatch(/ERROR/);
  });
});
