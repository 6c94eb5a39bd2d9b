import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MetricDefinition } from "../contract";
import type { Clock } from "../core/engine";
import { DAY_MS, HOUR_MS, hoursOfDay } from "../core/periods";
import { eventsAt, streamEvents } from "../testing/batch-fixtures";
import { rawTruth, readTier, truthMismatches } from "../testing/batch-truth";
import { createTestDatabase, type TestDatabase } from "../testing/harness";
import { seededRandom } from "../testing/seeded-random";
import { createDbClients, type DbClients } from "./clients";
import { compactPeriod } from "./compaction-store";
import { loadDefinitions } from "./metric-definitions";
import { hoursDueForReconciliation } from "./reconcile-runs";
import { reconcileHour } from "./reconcile-store";

const DAY = Date.UTC(2026, 10, 20);
const HOUR = DAY + 9 * HOUR_MS;
const NOW = DAY + 2 * DAY_MS;
let db: TestDatabase;
let clients: DbClients;
let definitions: MetricDefinition[];
let clock: Clock;

const minuteRows = async () =>
  (
    await clients.pool.query(
      `SELECT metric, bucket_start, group_key, count, sum, min, max, quantiles, distinct_sketch FROM metric_rollups
       WHERE resolution = '1m' AND bucket_start >= $1 AND bucket_start < $2 ORDER BY 1, 2, 3`,
      [new Date(HOUR), new Date(HOUR + HOUR_MS)],
    )
  ).rows;
const status = async (resolution: string, start: number) =>
  (
    await clients.pool.query<{ status: string }>(
      `SELECT status FROM rollup_periods WHERE resolution = $1 AND period_start = $2`,
      [resolution, new Date(start)],
    )
  ).rows[0]?.status;
const reconcile = () => reconcileHour(clients.pool, HOUR, definitions, { now: NOW });

beforeAll(async () => {
  db = await createTestDatabase("nowcast_recon");
  // Sessions in the test database's half-hour zone (no UTC pin): the SQL must not depend on it.
  clients = createDbClients(db.url, { max: 4, sessionTimeZone: null });
  definitions = (await loadDefinitions(clients.pool)).definitions;
  const random = seededRandom(11);
  const times = hoursOfDay(DAY).flatMap((h) =>
    Array.from({ length: 15 }, () => h + random.int(0, HOUR_MS - 1)),
  );
  times.sort((a, b) => a - b).push(DAY + DAY_MS + HOUR_MS);
  ({ clock } = await streamEvents(clients.pool, definitions, eventsAt(random, times, "base")));
  for (const h of hoursOfDay(DAY)) await compactPeriod(clients.pool, "1h", h);
  await compactPeriod(clients.pool, "1d", DAY);
});

afterAll(async () => {
  await clients?.close();
  await db?.drop();
});

describe("reconciliation against raw events", () => {
  it("finds no drift where the stream saw every event (all default metrics, raw read in small pages)", async () => {
    const result = await reconcileHour(clients.pool, HOUR, definitions, { now: NOW, pageSize: 4 });
    expect(result.events).toBe(
      (
        await clients.pool.query<{ n: number }>(
          `SELECT count(*)::int n FROM raw_events WHERE ts >= $1 AND ts < $2`,
          [new Date(HOUR), new Date(HOUR + HOUR_MS)],
        )
      ).rows[0]?.n,
    );
    expect(result).toMatchObject({ rowsDrifted: 0, tooLateEvents: 0, dirtyPeriods: [] });
    expect(result.rowsCompared).toBeGreaterThan(20);
    expect(await status("1h", HOUR)).toBe("compacted");
  });

  it("folds in a too-late event after compaction: drift, repair, dirty, recompaction with the right values", async () => {
    const late = eventsAt(seededRandom(5), [HOUR + 20 * 60_000, HOUR + 21 * 60_000], "late").map((e) => ({
      ...e,
      type: "api_request",
      value: 4321,
      attrs: { route: "/api/late", method: "GET", status: 200, region: "eu-west" },
    }));
    const streamed = await streamEvents(clients.pool, definitions, late, clock);
    expect(streamed.tooLate).toBe(2);
    const before = await readTier(clients.pool, "1h", HOUR);
    // Every other hour is due too (never reconciled); HOUR is due again for its too-late events.
    const due = () => hoursDueForReconciliation(clients.pool, DAY, DAY + DAY_MS, 100);
    expect(await due()).toContain(HOUR);

    const result = await reconcile();
    expect(result.tooLateEvents).toBe(2);
    expect(result.rowsDrifted).toBeGreaterThan(0);
    expect(result.dirtyPeriods.map((p) => p.resolution).sort()).toEqual(["1d", "1h"]);
    expect(await status("1h", HOUR)).toBe("dirty");
    expect(await status("1d", DAY)).toBe("dirty");
    const drift = await clients.pool.query<{ metric: string; streamed_count: number; batch_count: number }>(
      `SELECT metric, streamed_count, batch_count FROM reconciliation_drift WHERE run_id = $1 ORDER BY metric`,
      [result.runId],
    );
    const delta = new Map(drift.rows.map((r) => [r.metric, r.batch_count - r.streamed_count]));
    expect(delta.get("events")).toBe(2);
    expect(delta.get("api_requests")).toBe(4); // the all-routes row and the new "/api/late" row
    expect(delta.get("api_latency")).toBe(4);
    expect(await due()).not.toContain(HOUR);
    expect(await due()).toHaveLength(23);

    await compactPeriod(clients.pool, "1h", HOUR);
    await compactPeriod(clients.pool, "1d", DAY);
    const hour = await readTier(clients.pool, "1h", HOUR);
    expect(truthMismatches(hour, await rawTruth(clients.pool, HOUR, HOUR + HOUR_MS))).toEqual([]);
    expect(
      truthMismatches(
        await readTier(clients.pool, "1d", DAY),
        await rawTruth(clients.pool, DAY, DAY + DAY_MS),
      ),
    ).toEqual([]);
    expect(hour.get("api_latency|")?.max).toBe(4321);
    expect(before.get("api_latency|")?.max).not.toBe(4321);
    expect((hour.get("api_latency|")?.count ?? 0) - (before.get("api_latency|")?.count ?? 0)).toBe(2);
  });

  it("is exactly-once: a second run finds nothing and changes no row", async () => {
    const rows = await minuteRows();
    const again = await reconcile();
    expect(again.rowsDrifted).toBe(0);
    expect(await minuteRows()).toEqual(rows);
  });

  it("detects and repairs tampered, deleted and invented 1m rows", async () => {
    const truth = await minuteRows();
    const minute = new Date(HOUR + 20 * 60_000);
    await clients.pool.query(
      `UPDATE metric_rollups SET count = count + 5, sum = sum + 100 WHERE resolution = '1m' AND metric = 'api_requests' AND group_key = '' AND bucket_start = $1`,
      [minute],
    );
    await clients.pool.query(
      `DELETE FROM metric_rollups WHERE resolution = '1m' AND metric = 'events' AND bucket_start = $1 AND group_key = 'api_request'`,
      [minute],
    );
    await clients.pool.query(
      `INSERT INTO metric_rollups (metric, resolution, bucket_start, group_key, count) VALUES ('signups', '1m', $1, 'pro', 3)`,
      [new Date(HOUR + 59 * 60_000)],
    );
    const result = await reconcile();
    expect(result.rowsDrifted).toBe(3);
    const drift = await clients.pool.query<{
      metric: string;
      examples: { kind: string; fields: string[] }[];
    }>(`SELECT metric, examples FROM reconciliation_drift WHERE run_id = $1 ORDER BY metric`, [result.runId]);
    expect(drift.rows.map((r) => [r.metric, r.examples.map((e) => [e.kind, e.fields])])).toEqual([
      ["api_requests", [["different", ["count", "sum"]]]],
      ["events", [["missing", []]]],
      ["signups", [["unexpected", []]]],
    ]);
    expect(await minuteRows()).toEqual(truth);
    expect(await status("1h", HOUR)).toBe("dirty");
  });
});
