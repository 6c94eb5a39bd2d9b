import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultRetention } from "../config";
import type { MetricDefinition } from "../contract";
import type { Clock } from "../core/engine";
import { DAY_MS, HOUR_MS, hoursOfDay } from "../core/periods";
import { createDbClients, type DbClients } from "../db/clients";
import { loadDefinitions } from "../db/metric-definitions";
import { querySeries } from "../history/history";
import { eventsAt, streamEvents } from "../testing/batch-fixtures";
import { rawTruth, readTier, truthMismatches } from "../testing/batch-truth";
import { createTestDatabase, TEST_DATABASE_TIME_ZONE, type TestDatabase } from "../testing/harness";
import { seededRandom } from "../testing/seeded-random";
import { BatchJobs, type JobQueue } from "./batch-jobs";
import { QUEUES } from "./queues";

/**
 * Issue 10, item 10: with the database's `timezone` set to a half-hour zone, hourly and daily
 * figures doubled (due hours and retention truncated in the session's zone, so reconciliation
 * and compaction wrote hour rows at :30). The batch verbs run here on sessions that follow the
 * database's zone (no UTC pin), so only the SQL itself can keep the hours on UTC.
 */
const DAY = Date.UTC(2026, 10, 20);
const NOW = DAY + 2 * DAY_MS;
const TOO_LATE_HOURS = [3, 4, 9, 17].map((h) => DAY + h * HOUR_MS);
let database: TestDatabase;
let db: DbClients;
let definitions: MetricDefinition[];
let clock: Clock;
let jobs: BatchJobs;
const queued: { queue: string; start: number }[] = [];

const queue: JobQueue = {
  async enqueue(name, start) {
    if (!queued.some((q) => q.queue === name && q.start === start)) queued.push({ queue: name, start });
  },
};

/** Plans and runs every enqueued job until a plan finds nothing more to do. */
async function settle(): Promise<void> {
  for (let round = 0; round < 20; round++) {
    await jobs.plan(NOW);
    if (queued.length === 0) return;
    while (queued.length > 0) {
      const job = queued.shift();
      if (!job) break;
      if (job.queue === QUEUES.compactHour) await jobs.compactHour(job.start);
      else if (job.queue === QUEUES.compactDay) await jobs.compactDay(job.start);
      else await jobs.reconcileHour(job.start, NOW);
    }
  }
  throw new Error("the batch jobs did not settle in 20 plans");
}

beforeAll(async () => {
  database = await createTestDatabase("nowcast_tz");
  // No UTC pin: every statement runs in the database's half-hour zone.
  db = createDbClients(database.url, { max: 4, sessionTimeZone: null });
  definitions = (await loadDefinitions(db.pool)).definitions;
  jobs = new BatchJobs(
    db.pool,
    queue,
    {
      outOfOrdernessMs: 5_000,
      allowedLatenessMs: 600_000,
      reconcileWindowDays: 7,
      maxPerPlan: 500,
      retention: defaultRetention(),
    },
    () => NOW,
  );
  const random = seededRandom(1010);
  const times = hoursOfDay(DAY).flatMap((h) =>
    Array.from({ length: 12 }, () => h + random.int(0, HOUR_MS - 1)),
  );
  times.sort((a, b) => a - b).push(DAY + DAY_MS + HOUR_MS);
  ({ clock } = await streamEvents(
    db.pool,
    definitions,
    eventsAt(random, times, "base"),
    undefined,
    "tz",
    50,
    NOW,
  ));
  await settle();
  // Too-late events after compaction: reconciliation must fold them into their own UTC hours.
  const late = TOO_LATE_HOURS.flatMap((h) => [h + 10 * 60_000, h + 50 * 60_000]);
  ({ clock } = await streamEvents(
    db.pool,
    definitions,
    eventsAt(random, late, "late"),
    clock,
    "tz",
    50,
    NOW,
  ));
  await settle();
}, 120_000);

afterAll(async () => {
  await db?.close();
  await database?.drop();
});

describe(`batch layer on sessions in ${TEST_DATABASE_TIME_ZONE}`, () => {
  it("runs its sessions in the database's half-hour zone (the premise of this file)", async () => {
    const { rows } = await db.pool.query<{ tz: string }>("SELECT current_setting('TimeZone') AS tz");
    expect(rows[0]?.tz).toBe(TEST_DATABASE_TIME_ZONE);
  });

  it("writes coarse rows, periods and reconciled hours only on UTC hours and days", async () => {
    const misaligned = await db.pool.query<{ what: string; n: number }>(
      `SELECT 'rollup ' || resolution AS what, count(*)::int AS n FROM metric_rollups
       WHERE (resolution = '1h' AND bucket_start <> date_trunc('hour', bucket_start, 'UTC'))
          OR (resolution = '1d' AND bucket_start <> date_trunc('day', bucket_start, 'UTC'))
       GROUP BY 1
       UNION ALL
       SELECT 'period ' || resolution, count(*)::int FROM rollup_periods
       WHERE (resolution = '1h' AND period_start <> date_trunc('hour', period_start, 'UTC'))
          OR (resolution = '1d' AND period_start <> date_trunc('day', period_start, 'UTC'))
       GROUP BY 1
       UNION ALL
       SELECT 'reconciled hour', count(*)::int FROM reconciled_hours
       WHERE hour <> date_trunc('hour', hour, 'UTC') HAVING count(*) > 0`,
    );
    expect(misaligned.rows).toEqual([]);
  });

  it("folds every too-late event into its UTC hour and day (tiers equal the raw events)", async () => {
    const wrong: string[] = [];
    for (const hour of hoursOfDay(DAY)) {
      const label = new Date(hour).toISOString();
      const mismatches = truthMismatches(
        await readTier(db.pool, "1h", hour),
        await rawTruth(db.pool, hour, hour + HOUR_MS),
      );
      wrong.push(...mismatches.map((m) => `${label}: ${m}`));
    }
    wrong.push(
      ...truthMismatches(await readTier(db.pool, "1d", DAY), await rawTruth(db.pool, DAY, DAY + DAY_MS)),
    );
    expect(wrong).toEqual([]);
  });

  it("answers hourly and daily history with each event counted once", async () => {
    const deps = { pool: db.pool, outOfOrdernessMs: 5_000, now: () => NOW };
    const counts = await db.pool.query<{ hour: number; n: number }>(
      `SELECT (extract(epoch FROM date_trunc('hour', ts, 'UTC')) * 1000)::float8 AS hour, count(*)::int AS n
       FROM raw_events WHERE type = 'api_request' AND ts >= $1 AND ts < $2 GROUP BY 1`,
      [new Date(DAY), new Date(DAY + DAY_MS)],
    );
    const expected = new Map(counts.rows.map((r) => [r.hour, r.n]));
    const base = { tz: "UTC", limit: 5, format: "json" as const, groupBy: undefined };
    const hourly = await querySeries(deps, "api_latency", {
      ...base,
      from: DAY,
      to: DAY + DAY_MS,
      step: "1h",
    });
    expect(hourly.points.map((p) => [p.t, p.count])).toEqual(
      hoursOfDay(DAY).map((h) => [new Date(h).toISOString().replace("Z", "+00:00"), expected.get(h) ?? 0]),
    );
    const daily = await querySeries(deps, "api_latency", {
      ...base,
      from: DAY,
      to: DAY + DAY_MS,
      step: "1d",
    });
    expect(daily.points.map((p) => p.count)).toEqual([[...expected.values()].reduce((a, b) => a + b, 0)]);
  });
});
