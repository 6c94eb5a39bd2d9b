import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MetricDefinition } from "../contract";
import { mergeInto, emptyState, serializeState, type AggregateState } from "../core/aggregate-state";
import { DAY_MS, HOUR_MS, hoursOfDay } from "../core/periods";
import { retentionCutoffs } from "../core/retention";
import { eventsAt, streamEvents } from "../testing/batch-fixtures";
import { rawTruth, readTier, truthMismatches } from "../testing/batch-truth";
import { createTestDatabase, eventually, type TestDatabase } from "../testing/harness";
import { seededRandom } from "../testing/seeded-random";
import { createDbClients, type DbClients } from "./clients";
import { CompactionBusyError, compactPeriod, DependencyPendingError } from "./compaction-store";
import { loadDefinitions } from "./metric-definitions";
import { applyRetention } from "./retention-store";

const DAY = Date.UTC(2026, 10, 20);
let db: TestDatabase;
let clients: DbClients;
let definitions: MetricDefinition[];

/** Every hour of DAY gets 12 events at seeded minutes; then one event well into the next day. */
function dayOfEvents(seed: number) {
  const random = seededRandom(seed);
  const times = hoursOfDay(DAY).flatMap((hour) =>
    Array.from({ length: 12 }, () => hour + random.int(0, HOUR_MS - 1)),
  );
  times.sort((a, b) => a - b);
  times.push(DAY + DAY_MS + 30 * 60_000);
  return eventsAt(random, times, `d${seed}`);
}

const status = async (resolution: string, start: number) =>
  (
    await clients.pool.query<{ status: string }>(
      `SELECT status FROM rollup_periods WHERE resolution = $1 AND period_start = $2`,
      [resolution, new Date(start)],
    )
  ).rows[0]?.status ?? null;

const rowsBytes = async (resolution: string, start: number) =>
  (
    await clients.pool.query(
      `SELECT metric, group_key, count, sum, min, max, encode(quantiles, 'hex') q, encode(distinct_sketch, 'hex') d, revisions
       FROM metric_rollups WHERE resolution = $1 AND bucket_start = $2 ORDER BY metric, group_key`,
      [resolution, new Date(start)],
    )
  ).rows;

beforeAll(async () => {
  db = await createTestDatabase("nowcast_compact");
  // Sessions in the test database's half-hour zone (no UTC pin): the SQL must not depend on it.
  clients = createDbClients(db.url, { max: 4, sessionTimeZone: null });
  definitions = (await loadDefinitions(clients.pool)).definitions;
  await streamEvents(clients.pool, definitions, dayOfEvents(7));
});

afterAll(async () => {
  await clients?.close();
  await db?.drop();
});

describe("compaction 1m → 1h → 1d", () => {
  const hour = DAY + 5 * HOUR_MS;

  it("an hour equals the merge of its 1m rows and the raw-event SQL truth", async () => {
    const result = await compactPeriod(clients.pool, "1h", hour);
    expect(result.rows).toBeGreaterThan(5);
    const minutes = await clients.pool.query<{ bucket_start: Date }>(
      `SELECT DISTINCT bucket_start FROM metric_rollups WHERE resolution = '1m' AND bucket_start >= $1 AND bucket_start < $2`,
      [new Date(hour), new Date(hour + HOUR_MS)],
    );
    const merged = new Map<string, AggregateState>();
    for (const { bucket_start } of minutes.rows) {
      for (const [key, state] of await readTier(clients.pool, "1m", bucket_start.getTime())) {
        mergeInto(merged.get(key) ?? merged.set(key, emptyState()).get(key) ?? emptyState(), state);
      }
    }
    const coarse = await readTier(clients.pool, "1h", hour);
    expect([...coarse.keys()].sort()).toEqual([...merged.keys()].sort());
    for (const [key, state] of merged)
      expect(serializeState(coarse.get(key) ?? emptyState()), key).toEqual(serializeState(state));
    expect(truthMismatches(coarse, await rawTruth(clients.pool, hour, hour + HOUR_MS))).toEqual([]);
    expect(await status("1h", hour)).toBe("compacted");
  });

  it("re-running gives the same rows (idempotent)", async () => {
    const before = await rowsBytes("1h", hour);
    await compactPeriod(clients.pool, "1h", hour);
    await compactPeriod(clients.pool, "1h", hour);
    expect(await rowsBytes("1h", hour)).toEqual(before);
  });

  it("a day waits for all 24 hours, then equals the raw truth of the day", async () => {
    await expect(compactPeriod(clients.pool, "1d", DAY)).rejects.toBeInstanceOf(DependencyPendingError);
    expect(await status("1d", DAY)).toBe("dirty");
    for (const h of hoursOfDay(DAY).slice(0, 23)) await compactPeriod(clients.pool, "1h", h);
    await expect(compactPeriod(clients.pool, "1d", DAY)).rejects.toThrow("23/24 hours compacted");
    await compactPeriod(clients.pool, "1h", DAY + 23 * HOUR_MS);
    await compactPeriod(clients.pool, "1d", DAY);
    expect(await status("1d", DAY)).toBe("compacted");
    const day = await readTier(clients.pool, "1d", DAY);
    expect(truthMismatches(day, await rawTruth(clients.pool, DAY, DAY + DAY_MS))).toEqual([]);
  });

  it("a write into a compacted hour marks hour and day dirty in the processor's transaction", async () => {
    // A second consumer with a fresh clock treats old events as on time: the safety net case.
    const late = eventsAt(seededRandom(99), [hour + 90_000, hour + 95_000], "late");
    await streamEvents(clients.pool, definitions, late, { maxEventTime: null }, "other_processor");
    expect(await status("1h", hour)).toBe("dirty");
    expect(await status("1d", DAY)).toBe("dirty");
    expect(await status("1h", hour + HOUR_MS)).toBe("compacted");

    await compactPeriod(clients.pool, "1h", hour);
    expect(await status("1d", DAY)).toBe("dirty");
    await compactPeriod(clients.pool, "1d", DAY);
    expect(await status("1d", DAY)).toBe("compacted");
    const truthHour = await rawTruth(clients.pool, hour, hour + HOUR_MS);
    expect(truthMismatches(await readTier(clients.pool, "1h", hour), truthHour)).toEqual([]);
    expect(
      truthMismatches(
        await readTier(clients.pool, "1d", DAY),
        await rawTruth(clients.pool, DAY, DAY + DAY_MS),
      ),
    ).toEqual([]);
  });
});

describe("retention", () => {
  it("deletes each tier only past its cutoff and only what a compacted coarser period holds", async () => {
    const count = async (sql: string) => (await clients.pool.query<{ n: number }>(sql)).rows[0]?.n ?? 0;
    const next = DAY + DAY_MS; // the next day has 1m rows (one event) but no compacted hour
    const before = {
      raw: await count(`SELECT count(*)::int n FROM raw_events`),
      dayRaw: await count(
        `SELECT count(*)::int n FROM raw_events WHERE ts < '${new Date(next).toISOString()}'`,
      ),
      nextMinutes: await count(
        `SELECT count(*)::int n FROM metric_rollups WHERE resolution = '1m' AND bucket_start >= '${new Date(next).toISOString()}'`,
      ),
      hours: await count(`SELECT count(*)::int n FROM metric_rollups WHERE resolution = '1h'`),
      days: await count(`SELECT count(*)::int n FROM metric_rollups WHERE resolution = '1d'`),
    };
    expect(before.nextMinutes).toBeGreaterThan(0);
    // "now" such that raw and 1m cutoffs fall after both days, 1h and 1d keep everything.
    const now = next + 3 * DAY_MS;
    const cutoffs = retentionCutoffs(now, {
      rawDays: 3,
      minuteDays: 2,
      hourDays: 30,
      dayDays: 60,
      historyDays: 30,
      fraudDays: 400,
    });
    expect(cutoffs.raw.getTime()).toBe(next);
    const result = await applyRetention(clients.pool, cutoffs, 100);
    expect(result.rawEvents).toBe(before.dayRaw);
    expect(await count(`SELECT count(*)::int n FROM raw_events`)).toBe(before.raw - before.dayRaw);
    // 1m rows of the compacted day are gone; the next day's (hour not compacted) stay.
    expect(
      await count(
        `SELECT count(*)::int n FROM metric_rollups WHERE resolution = '1m' AND bucket_start < '${new Date(next).toISOString()}'`,
      ),
    ).toBe(0);
    expect(await count(`SELECT count(*)::int n FROM metric_rollups WHERE resolution = '1m'`)).toBe(
      before.nextMinutes,
    );
    expect(result).toMatchObject({ hourRows: 0, dayRows: 0 });
    expect(await count(`SELECT count(*)::int n FROM metric_rollups WHERE resolution = '1h'`)).toBe(
      before.hours,
    );
    expect(await count(`SELECT count(*)::int n FROM metric_rollups WHERE resolution = '1d'`)).toBe(
      before.days,
    );
    // Past the 1h and 1d cutoffs too: hours go (their day is compacted), then days.
    const later = retentionCutoffs(now + 100 * DAY_MS, {
      rawDays: 3,
      minuteDays: 2,
      hourDays: 30,
      dayDays: 60,
      historyDays: 30,
      fraudDays: 400,
    });
    const second = await applyRetention(clients.pool, later);
    expect(second.hourRows).toBe(before.hours);
    expect(second.dayRows).toBe(before.days);
  });
});

describe("first compaction of a period vs a writer that could not see its period row", () => {
  it("waits for transactions in progress when the period row was created, then reads their rows", async () => {
    const hour = DAY + DAY_MS + 5 * HOUR_MS; // next day: no period row yet
    const writer = await clients.pool.connect();
    try {
      await writer.query("BEGIN");
      await writer.query(
        `INSERT INTO metric_rollups (metric, resolution, bucket_start, group_key, count) VALUES ('signups', '1m', $1, '', 3)`,
        [new Date(hour + 60_000)],
      );
      const started = await clients.pool.query<{ at: Date }>(`SELECT clock_timestamp() AS at`);
      let done = false;
      const compaction = compactPeriod(clients.pool, "1h", hour).then((r) => ((done = true), r));
      // The compaction asks whether the writer's transaction still runs: it is waiting for it.
      await eventually(
        async () => {
          const polls = await clients.pool.query(
            `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()
             AND query LIKE '%backend_xid::text = ANY%' AND query NOT LIKE '%pg_backend_pid%'
             AND query_start >= $1`,
            [started.rows[0]?.at],
          );
          return (polls.rowCount ?? 0) > 0 ? true : undefined;
        },
        10_000,
        "the compaction to wait for the open writer",
      );
      expect(done).toBe(false); // and it cannot end while the writer is open
      await writer.query("COMMIT");
      const result = await compaction;
      expect(result.rows).toBe(1);
      expect((await readTier(clients.pool, "1h", hour)).get("signups|")?.count).toBe(3);
    } finally {
      writer.release();
    }
  });

  it("gives up with a retryable error when an earlier transaction stays open", async () => {
    const hour = DAY + DAY_MS + 6 * HOUR_MS;
    const writer = await clients.pool.connect();
    try {
      await writer.query("BEGIN");
      await writer.query(`SELECT pg_current_xact_id()`);
      await expect(compactPeriod(clients.pool, "1h", hour, { waitTimeoutMs: 300 })).rejects.toBeInstanceOf(
        CompactionBusyError,
      );
      await writer.query("ROLLBACK");
      // The retry finds the period row already there and compacts at once.
      expect((await compactPeriod(clients.pool, "1h", hour)).rows).toBe(0);
    } finally {
      writer.release();
    }
  });
});
