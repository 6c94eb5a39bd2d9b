import PgBoss10 from "pg-boss-10";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { defaultRetention, natsNames } from "../config";
import { createDbClients, type DbClients } from "../db/clients";
import { createLogger } from "../log";
import { createTestDatabase, eventually, uniqueName, type TestDatabase } from "../testing/harness";
import { installedVersion, legacySchemaName, retireLegacySchema } from "./boss-schema";
import { QUEUES } from "./queues";
import { startScheduler, type Scheduler } from "./scheduler";

// A database the demo or production ran with pg-boss 10 (schema version 24), which pg-boss 12
// refuses to migrate: the scheduler must start on it and keep the jobs that were waiting.
let database: TestDatabase;
let db: DbClients;
const running: Scheduler[] = [];
const log = createLogger("test", "error");

const HOUR_2020 = "2020-01-01T00:00:00.000Z";
const DONE_2020 = "2020-01-02T00:00:00.000Z";

beforeAll(async () => {
  database = await createTestDatabase("nowcast_bossup");
  db = createDbClients(database.url, { max: 4 });
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
});

afterAll(async () => {
  await db?.close();
  await database?.drop();
});

function start(schema: string): Promise<Scheduler> {
  return startScheduler(
    { pool: db.pool, log },
    {
      databaseUrl: database.url,
      schema,
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
  ).then((scheduler) => {
    running.push(scheduler);
    return scheduler;
  });
}

/** What the pg-boss 10 scheduler left: our queues, one job waiting, one completed. */
async function seedPgBoss10(schema: string): Promise<void> {
  const boss = new PgBoss10({ connectionString: database.url, schema, supervise: false, schedule: false });
  await boss.start();
  for (const name of Object.values(QUEUES)) await boss.createQueue(name, { name, policy: "stately" });
  await boss.send(QUEUES.reconcileHour, { start: HOUR_2020 }, { singletonKey: HOUR_2020 });
  await boss.send(QUEUES.compactHour, { start: DONE_2020 }, { singletonKey: DONE_2020 });
  const [done] = await boss.fetch(QUEUES.compactHour);
  if (!done) throw new Error("pg-boss 10 did not hand out the job it was sent");
  await boss.complete(QUEUES.compactHour, done.id);
  await boss.stop({ graceful: false, wait: true });
}

const jobsIn = async (schema: string, name: string, key: string) =>
  (
    await db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM "${schema}".job WHERE name = $1 AND singleton_key = $2`,
      [name, key],
    )
  ).rows[0]?.n;

const schemaExists = async (schema: string) =>
  ((await db.pool.query(`SELECT 1 FROM pg_namespace WHERE nspname = $1`, [schema])).rowCount ?? 0) > 0;

describe("a scheduler on a database that pg-boss 10 used", () => {
  it("starts, carries the waiting job over (not the completed one) and drops the old schema", async () => {
    const schema = natsNames(uniqueName("tbup")).bossSchema;
    await seedPgBoss10(schema);
    expect(await installedVersion(db.pool, schema)).toBe(24);

    await start(schema);

    expect(await installedVersion(db.pool, schema)).toBeGreaterThanOrEqual(25);
    expect(await schemaExists(legacySchemaName(schema))).toBe(false);
    expect(await jobsIn(schema, QUEUES.reconcileHour, HOUR_2020)).toBe(1);
    expect(await jobsIn(schema, QUEUES.compactHour, DONE_2020)).toBe(0);
    // The carried-over job runs in the new schema and shows in our run history.
    await eventually(async () => {
      const rows = await db.pool.query(`SELECT 1 FROM job_runs WHERE queue = $1 AND subject = $2`, [
        QUEUES.reconcileHour,
        HOUR_2020,
      ]);
      return (rows.rowCount ?? 0) > 0 ? true : undefined;
    }, 20_000);
    const policies = await db.pool.query<{ name: string; policy: string }>(
      `SELECT name, policy FROM "${schema}".queue WHERE name = ANY($1) ORDER BY name`,
      [Object.values(QUEUES)],
    );
    expect(policies.rows.map((q) => q.policy)).toEqual(Object.values(QUEUES).map(() => "stately"));
  });

  it("finishes a move that stopped after the rename, and a restart afterwards changes nothing", async () => {
    const schema = natsNames(uniqueName("tbup")).bossSchema;
    await seedPgBoss10(schema);
    expect(await retireLegacySchema(db.pool, schema)).toBe(true);
    expect(await schemaExists(schema)).toBe(false);

    const first = await start(schema);
    expect(await schemaExists(legacySchemaName(schema))).toBe(false);
    expect(await jobsIn(schema, QUEUES.reconcileHour, HOUR_2020)).toBe(1);

    await first.stop();
    running.splice(running.indexOf(first), 1);
    await start(schema);
    expect(await retireLegacySchema(db.pool, schema)).toBe(false);
    expect(await jobsIn(schema, QUEUES.reconcileHour, HOUR_2020)).toBe(1);
  });

  it("refuses a queue whose policy pg-boss 12 cannot change, naming it", async () => {
    const schema = natsNames(uniqueName("tbup")).bossSchema;
    const scheduler = await start(schema);
    await scheduler.boss.deleteQueue(QUEUES.retention);
    await scheduler.boss.createQueue(QUEUES.retention, { policy: "standard" });
    await scheduler.stop();
    running.splice(running.indexOf(scheduler), 1);
    await expect(start(schema)).rejects.toThrow(`pg-boss queue ${QUEUES.retention} has policy standard`);
  });
});
