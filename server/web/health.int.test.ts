import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET } from "../../app/api/health/route";
import { HealthResponse } from "../contract";
import { createDbClients, type DbClients } from "../db/clients";
import { createLogger } from "../log";
import { connectNats, eventSubject } from "../nats/streams";
import { startProcessor, type Processor } from "../processor/processor";
import { waitUntilDrained } from "../testing/drain";
import {
  createTestDatabase,
  eventually,
  testProcessorOptions,
  uniqueName,
  type TestDatabase,
} from "../testing/harness";
import { startOwnNatsServer, type OwnNatsServer } from "../testing/nats-server";
import { startPipelineSampler, type PipelineSampler } from "./pipeline-sampler";
import { getWebServices } from "./services";

/**
 * Issue 10, item 3: /api/health and the pipeline panel tell the truth. A NATS server of this
 * test's own is stopped (the web's connection then reconnects: down, though not closed), and a
 * processor is stopped while events wait in its consumer (stalled).
 */
const namespace = uniqueName("thealth");
const STALL_AFTER_MS = 1_000;
let nats: OwnNatsServer;
let database: TestDatabase;
let db: DbClients;
let nc: NatsConnection;
let processor: Processor | undefined;
let sampler: PipelineSampler;

const health = async () => {
  const response = await GET();
  return { status: response.status, body: HealthResponse.parse(await response.json()) };
};
const startTheProcessor = async () =>
  (processor = await startProcessor(
    { nc, pool: db.pool, log: createLogger("processor", "error") },
    testProcessorOptions(namespace),
  ));
async function publish(ids: string[]) {
  const js = jetstream(nc);
  for (const id of ids)
    await js.publish(
      eventSubject(namespace, "page_view"),
      JSON.stringify({ id, type: "page_view", ts: Date.now() - 1_000, attrs: { path: "/h" } }),
      { msgID: id },
    );
}

beforeAll(async () => {
  nats = await startOwnNatsServer();
  database = await createTestDatabase("nowcast_health");
  db = createDbClients(database.url, { max: 4 });
  // The route handler builds its services from the environment, as in production.
  process.env.DATABASE_URL = database.url;
  process.env.NATS_URL = nats.url;
  process.env.NOWCAST_NAMESPACE = namespace;
  process.env.NOWCAST_STALL_AFTER_MS = String(STALL_AFTER_MS);
  nc = await connectNats(nats.url, "health-test-processor");
  await startTheProcessor();
  const services = await getWebServices();
  sampler = startPipelineSampler({
    nc: services.nc,
    natsStatus: services.natsStatus,
    pool: services.db.pool,
    namespace,
    outOfOrdernessMs: 5_000,
    stallAfterMs: STALL_AFTER_MS,
    log: createLogger("web", "error"),
    intervalMs: 200,
  });
}, 60_000);

afterAll(async () => {
  sampler?.stop();
  await processor?.stop();
  await (await getWebServices().catch(() => null))?.close();
  await nc?.close();
  await db?.close();
  await database?.drop();
  await nats?.destroy();
});

describe("GET /api/health and the pipeline panel", () => {
  it("is 200 ok while the processor keeps up, and stays ok once the stream is idle", async () => {
    await publish(["a-1", "a-2", "a-3"]);
    await waitUntilDrained(await jetstreamManager(nc), namespace, 20_000);
    const { status, body } = await health();
    expect(body.checks).toMatchObject({
      postgres: { ok: true },
      nats: { ok: true },
      processor: { ok: true, detail: "idle: nothing waiting" },
    });
    expect([status, body.status]).toEqual([200, "ok"]);
  });

  it("reports a processor stopped while events are pending as stalled (503), and recovers", async () => {
    await processor?.stop();
    processor = undefined;
    await publish(["b-1", "b-2", "b-3"]);
    const stalled = await eventually(
      async () => {
        const answer = await health();
        return answer.status === 503 ? answer : undefined;
      },
      15_000,
      "health to report the stalled processor",
    );
    expect(stalled.body.status).toBe("degraded");
    expect(stalled.body.checks.processor?.ok).toBe(false);
    expect(stalled.body.checks.processor?.detail).toMatch(
      /^stalled: 3 messages waiting .*no commit for \d+ s$/,
    );
    expect(stalled.body.checks.nats).toEqual({ ok: true });
    await eventually(
      async () => (sampler.latest()?.processor.state === "stalled" ? true : undefined),
      10_000,
      "the pipeline panel to show the stalled processor",
    );

    await startTheProcessor();
    await eventually(
      async () => ((await health()).status === 200 ? true : undefined),
      20_000,
      "health to recover",
    );
  });

  it("reports NATS as down while the connection is lost and reconnecting, and recovers", async () => {
    await nats.stop();
    const down = await eventually(
      async () => {
        const answer = await health();
        return answer.status === 503 ? answer : undefined;
      },
      15_000,
      "health to report NATS down",
    );
    expect(down.body.checks.nats?.ok).toBe(false);
    expect(down.body.checks.nats?.detail).toMatch(/^connection (disconnected|reconnecting) since /);
    expect(down.body.checks.processor).toEqual({ ok: false, detail: "not checked: NATS is down" });
    expect(down.body.checks.postgres).toEqual({ ok: true });
    await eventually(
      async () =>
        sampler.latest()?.nats !== "connected" && sampler.latest()?.consumerLag === null ? true : undefined,
      10_000,
      "the pipeline panel to show NATS down",
    );

    await nats.start();
    await eventually(
      async () => ((await health()).status === 200 ? true : undefined),
      30_000,
      "health to recover",
    );
    await eventually(
      async () => (sampler.latest()?.nats === "connected" ? true : undefined),
      10_000,
      "the pipeline panel to show NATS connected again",
    );
  });
});
