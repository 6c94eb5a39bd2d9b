import { jetstream, jetstreamManager, type JetStreamClient } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultRetention, natsNames } from "../config";
import type { ValidEvent } from "../contract";
import { DAY_MS, HOUR_MS, hoursOfDay } from "../core/periods";
import { createDbClients, type DbClients } from "../db/clients";
import { createLogger } from "../log";
import { connectNats, eventSubject, setupEventStream } from "../nats/streams";
import { startProcessor, type Processor } from "../processor/processor";
import { eventsAt } from "../testing/batch-fixtures";
import { rawTruth, readTier, truthMismatches } from "../testing/batch-truth";
import {
  createTestDatabase,
  deleteNamespace,
  eventually,
  NATS_URL,
  testProcessorOptions,
  uniqueName,
  type TestDatabase,
} from "../testing/harness";
import { seededRandom } from "../testing/seeded-random";
import { QUEUES } from "./queues";
import { startScheduler, type Scheduler } from "./scheduler";

// The whole batch path with real services: JetStream → processor → Postgres → pg-boss jobs.
const namespace = uniqueName("tsched");
const names = natsNames(namespace);
const DAY = Math.floor(Date.now() / DAY_MS) * DAY_MS - 3 * DAY_MS;
const LATE_HOUR = DAY + 14 * HOUR_MS;
let database: TestDatabase;
let db: DbClients;
let nc: NatsConnection;
let js: JetStreamClient;
let processor: Processor | undefined;
let scheduler: Scheduler | undefined;
const log = createLogger("test", "error");

async function publish(events: readonly ValidEvent[]) {
  for (const e of events)
    await js.publish(eventSubject(namespace, e.type), JSON.stringify(e), { msgID: e.id });
  const jsm = await jetstreamManager(nc);
  const last = (await jsm.streams.info(names.stream)).state.last_seq;
  await eventually(async () => {
    const info = await jsm.consumers.info(names.stream, names.durable);
    return info.ack_floor.stream_seq >= last && info.num_ack_pending === 0 ? true : undefined;
  }, 20_000);
}

const query = async <T extends object>(sql: string, params: unknown[] = []) =>
  (await db.pool.query<T>(sql, params)).rows;

const compactedAfter = (resolution: string, start: number, after: Date) =>
  eventually(
    async () => {
      const [row] = await query<{ status: string; compacted_at: Date | null }>(
        `SELECT status, compacted_at FROM rollup_periods WHERE resolution = $1 AND period_start = $2`,
        [resolution, new Date(start)],
      );
      return row?.status === "compacted" && row.compacted_at && row.compacted_at > after ? true : undefined;
    },
    40_000,
    `${resolution} ${new Date(start).toISOString()} compacted`,
  );

beforeAll(async () => {
  database = await createTestDatabase("nowcast_sched");
  // Sessions in the test database's half-hour zone (no UTC pin): the SQL must not depend on it.
  db = createDbClients(database.url, { max: 6, sessionTimeZone: null });
  nc = await connectNats(NATS_URL, "scheduler-test");
  await setupEventStream(nc, { namespace, dedupWindowSeconds: 60 });
  js = jetstream(nc);
  processor = await startProcessor({ nc, pool: db.pool, log }, testProcessorOptions(namespace));
  scheduler = await startScheduler(
    { pool: db.pool, log },
    {
      databaseUrl: database.url,
      schema: names.bossSchema,
      retryLimit: 8,
      retryDelaySeconds: 1,
      pollingIntervalSeconds: 0.5,
      batch: {
        outOfOrdernessMs: 5_000,
        allowedLatenessMs: 600_000,
        reconcileWindowDays: 7,
        maxPerPlan: 500,
        retention: defaultRetention(),
      },
    },
  );
});

afterAll(async () => {
  await scheduler?.stop();
  await processor?.stop();
  await nc?.close();
  await deleteNamespace(namespace);
  await db?.close();
  await database?.drop();
});

describe("scheduler (pg-boss) over the real pipeline", () => {
  it("compacts a final day after its hours; a day job sent too early is retried with back-off", async () => {
    const random = seededRandom(3);
    const times = hoursOfDay(DAY).flatMap((h) =>
      Array.from({ length: 6 }, () => h + random.int(0, HOUR_MS - 1)),
    );
    times.sort((a, b) => a - b).push(DAY + DAY_MS + 20 * 60_000);
    await publish(eventsAt(random, times, "p"));
    const start = new Date(0);
    // Sent before any hour is compacted: its first attempt must fail and a retry succeed.
    await scheduler?.boss.send(
      QUEUES.compactDay,
      { start: new Date(DAY).toISOString() },
      { singletonKey: new Date(DAY).toISOString() },
    );
    await eventually(async () => {
      const rows = await query<{ n: number }>(
        `SELECT count(*)::int n FROM job_runs WHERE queue = 'compact-day' AND status = 'failed'`,
      );
      return (rows[0]?.n ?? 0) > 0 ? true : undefined;
    });
    await scheduler?.requestPlan();
    await compactedAfter("1d", DAY, start);
    const [first] = await query<{ job_id: string; attempt: number; error: string | null }>(
      `SELECT job_id, attempt, error FROM job_runs WHERE queue = 'compact-day' ORDER BY id LIMIT 1`,
    );
    expect(first?.attempt).toBe(1);
    expect(first?.error).toContain("DependencyPendingError");
    // The same pg-boss job, retried with back-off, completes once its hours are compacted.
    const retried = await eventually(
      async () =>
        (
          await query<{ attempt: number }>(
            `SELECT attempt FROM job_runs WHERE job_id = $1 AND status = 'completed'`,
            [first?.job_id],
          )
        )[0],
      40_000,
      "the retried day job",
    );
    expect(retried.attempt).toBeGreaterThan(1);
    const hours = await query<{ n: number }>(
      `SELECT count(*)::int n FROM rollup_periods WHERE resolution = '1h' AND status = 'compacted' AND period_start >= $1 AND period_start < $2`,
      [new Date(DAY), new Date(DAY + DAY_MS)],
    );
    expect(hours[0]?.n).toBe(24);
    expect(
      truthMismatches(await readTier(db.pool, "1d", DAY), await rawTruth(db.pool, DAY, DAY + DAY_MS)),
    ).toEqual([]);
  });

  it("a too-late event after compaction triggers reconciliation and recompaction; hour and day values change correctly", async () => {
    const beforeHour = await readTier(db.pool, "1h", LATE_HOUR);
    const beforeDay = await readTier(db.pool, "1d", DAY);
    const late: ValidEvent = {
      id: "too-late-1",
      type: "api_request",
      ts: LATE_HOUR + 10 * 60_000,
      v: 1,
      value: 9876.5,
      attrs: { route: "/api/orders", method: "GET", status: 200, region: "eu-west" },
    };
    await publish([late]);
    const [stored] = await query<{ too_late: boolean }>(
      `SELECT too_late FROM raw_events WHERE id = 'too-late-1'`,
    );
    expect(stored?.too_late).toBe(true);
    const afterPublish = new Date();
    await scheduler?.requestPlan();
    const run = await eventually(
      async () => {
        const [row] = await query<{ id: number; rows_drifted: number; too_late_events: number }>(
          `SELECT id, rows_drifted, too_late_events FROM reconciliation_runs WHERE hour = $1 AND too_late_events = 1`,
          [new Date(LATE_HOUR)],
        );
        return row;
      },
      30_000,
      "reconciliation of the late hour",
    );
    expect(run.rows_drifted).toBeGreaterThan(0);
    await compactedAfter("1h", LATE_HOUR, afterPublish);
    await compactedAfter("1d", DAY, afterPublish);

    const hour = await readTier(db.pool, "1h", LATE_HOUR);
    const day = await readTier(db.pool, "1d", DAY);
    expect(truthMismatches(hour, await rawTruth(db.pool, LATE_HOUR, LATE_HOUR + HOUR_MS))).toEqual([]);
    expect(truthMismatches(day, await rawTruth(db.pool, DAY, DAY + DAY_MS))).toEqual([]);
    for (const [tier, before] of [
      [hour, beforeHour],
      [day, beforeDay],
    ] as const) {
      expect(
        (tier.get("events|api_request")?.count ?? 0) - (before.get("events|api_request")?.count ?? 0),
      ).toBe(1);
      expect(tier.get("api_latency|/api/orders")?.max).toBe(9876.5);
      expect((tier.get("api_latency|")?.sum ?? 0) - (before.get("api_latency|")?.sum ?? 0)).toBeCloseTo(
        9876.5,
        6,
      );
    }
    const queues = await query<{ queue: string }>(
      `SELECT DISTINCT queue FROM job_runs WHERE status = 'completed' ORDER BY 1`,
    );
    expect(queues.map((q) => q.queue)).toEqual(["compact-day", "compact-hour", "plan", "reconcile-hour"]);
  });
});
