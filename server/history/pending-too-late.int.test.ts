import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MetricDefinition } from "../contract";
import type { Clock } from "../core/engine";
import { DAY_MS, HOUR_MS, hoursOfDay } from "../core/periods";
import { createDbClients, type DbClients } from "../db/clients";
import { loadDefinitions } from "../db/metric-definitions";
import { hoursDueForReconciliation } from "../db/reconcile-runs";
import { reconcileHour } from "../db/reconcile-store";
import { eventsAt, streamEvents } from "../testing/batch-fixtures";
import { createTestDatabase, type TestDatabase } from "../testing/harness";
import { seededRandom } from "../testing/seeded-random";
import { queryBreakdown, querySeries } from "./history";

/**
 * Issue 10, item 12 (history side): a range holding too-late events that are stored but not
 * yet folded in by reconciliation is not `complete` (so not cacheable), and says how many.
 */
const DAY = Date.UTC(2026, 10, 20);
const LATE_HOUR = DAY + 9 * HOUR_MS;
const NOW = DAY + 2 * DAY_MS;
let database: TestDatabase;
let db: DbClients;
let definitions: MetricDefinition[];
let clock: Clock;

const deps = () => ({ pool: db.pool, outOfOrdernessMs: 5_000, now: () => NOW });
const series = (from: number, to: number) =>
  querySeries(deps(), "api_latency", {
    from,
    to,
    step: "1h",
    tz: "UTC",
    limit: 5,
    format: "json",
    groupBy: undefined,
  });
const breakdown = (from: number, to: number) =>
  queryBreakdown(deps(), "api_latency", { from, to, by: "route", tz: "UTC", limit: 5, format: "json" });
const pendingRow = async () =>
  (
    await db.pool.query<{ stored: number; folded: number }>(
      `SELECT stored, folded FROM too_late_hours WHERE hour = $1`,
      [new Date(LATE_HOUR)],
    )
  ).rows[0];

beforeAll(async () => {
  database = await createTestDatabase("nowcast_pending");
  db = createDbClients(database.url, { max: 4, sessionTimeZone: null });
  definitions = (await loadDefinitions(db.pool)).definitions;
  const random = seededRandom(77);
  const times = hoursOfDay(DAY).flatMap((h) =>
    Array.from({ length: 8 }, () => h + random.int(0, HOUR_MS - 1)),
  );
  times.sort((a, b) => a - b).push(DAY + DAY_MS + HOUR_MS);
  ({ clock } = await streamEvents(
    db.pool,
    definitions,
    eventsAt(random, times, "base"),
    undefined,
    "c",
    50,
    NOW,
  ));
});

afterAll(async () => {
  await db?.close();
  await database?.drop();
});

describe("completeness and too-late events waiting for reconciliation", () => {
  it("calls a final range without pending too-late events complete", async () => {
    const answer = await series(DAY, DAY + DAY_MS);
    expect([answer.complete, answer.pendingTooLate]).toEqual([true, 0]);
  });

  it("does not call a range complete while a too-late event of it is not folded in", async () => {
    const late = eventsAt(seededRandom(5), [LATE_HOUR + 20 * 60_000], "late").map((e) => ({
      ...e,
      type: "api_request",
      value: 99,
      attrs: { route: "/api/orders", method: "GET", status: 200 },
    }));
    const result = await streamEvents(db.pool, definitions, late, clock, "c", 50, NOW);
    expect(result.tooLate).toBe(1);
    expect(await pendingRow()).toEqual({ stored: 1, folded: 0 });
    const day = await series(DAY, DAY + DAY_MS);
    expect([day.complete, day.pendingTooLate]).toEqual([false, 1]);
    const partial = await breakdown(LATE_HOUR + 30 * 60_000, LATE_HOUR + 45 * 60_000);
    expect([partial.complete, partial.pendingTooLate]).toEqual([false, 1]);
    // Only the ranges that hold its hour.
    const before = await series(DAY, LATE_HOUR);
    expect([before.complete, before.pendingTooLate]).toEqual([true, 0]);
    expect(await hoursDueForReconciliation(db.pool, DAY, DAY + 23 * HOUR_MS, 100)).toContain(LATE_HOUR);
  });

  it("is complete again once reconciliation folded it in", async () => {
    await reconcileHour(db.pool, LATE_HOUR, definitions, { now: NOW });
    expect(await pendingRow()).toEqual({ stored: 1, folded: 1 });
    const day = await series(DAY, DAY + DAY_MS);
    expect([day.complete, day.pendingTooLate]).toEqual([true, 0]);
    expect(day.points.find((p) => Date.parse(p.t) === LATE_HOUR)?.max).toBeGreaterThanOrEqual(99);
    expect(await hoursDueForReconciliation(db.pool, LATE_HOUR, LATE_HOUR, 100)).toEqual([]);
  });
});
