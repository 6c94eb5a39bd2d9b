import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OTHER_GROUP, type SeriesPoint, type Step } from "../contract/history";
import { addValue, emptyState } from "../core/aggregate-state";
import { createDbClients, type DbClients } from "../db/clients";
import { createTestDatabase, type TestDatabase } from "../testing/harness";
import {
  clearPeriodStatus,
  commitEvents,
  generateHistoryEvents,
  setPeriodStatus,
  upsertCoarseRows,
  writeCoarseTiers,
} from "../testing/history-fixture";
import {
  mergeCells,
  oracleBuckets,
  oracleRanking,
  pointDifferences,
  type OracleQuery,
} from "../testing/history-oracle";
import { seededRandom, testSeed } from "../testing/seeded-random";
import { queryBreakdown, querySeries, type HistoryDeps } from "./history";

const t = (iso: string) => Date.parse(iso);
const H = 3_600_000;
// Two windows: New York's spring-forward (2026-03-08) and fall-back (2026-11-01) nights.
const SPRING = { from: t("2026-03-07T00:00:00Z"), to: t("2026-03-10T12:00:00Z") };
const FALL = { from: t("2026-10-30T12:00:00Z"), to: t("2026-11-03T00:00:00Z") };
// Periods that are not compacted: each gets a planted wrong coarse row that must never be read.
const DIRTY_HOURS = [t("2026-03-08T05:00:00Z"), t("2026-11-01T06:00:00Z"), t("2026-03-09T13:00:00Z")];
const ABSENT_HOURS = [t("2026-03-08T10:00:00Z"), t("2026-11-01T05:00:00Z")];
const DIRTY_DAYS = [t("2026-03-08T00:00:00Z")];
const ABSENT_DAYS = [t("2026-11-01T00:00:00Z")];
const PLANTED_COUNT = 1_000_000;

let database: TestDatabase;
let db: DbClients;
let deps: HistoryDeps;

beforeAll(async () => {
  database = await createTestDatabase("nowcast_hist");
  // Sessions in the test database's half-hour zone (no UTC pin): the SQL must not depend on it.
  db = createDbClients(database.url, { max: 4, sessionTimeZone: null });
  // Processed long after the fixture's events: its clock is the stream's watermark.
  deps = { pool: db.pool, outOfOrdernessMs: 5_000, now: () => t("2026-12-01T00:00:00Z") };
  const random = seededRandom(testSeed(6060));
  await commitEvents(db.pool, [
    ...generateHistoryEvents(random, SPRING.from, SPRING.to, 60),
    ...generateHistoryEvents(random, FALL.from, FALL.to, 60),
  ]);
  // Every period compacted by the production compactor, then some dirty or never compacted.
  await writeCoarseTiers(db.pool);
  await clearPeriodStatus(db.pool, "1h", ABSENT_HOURS);
  await clearPeriodStatus(db.pool, "1d", ABSENT_DAYS);
  await setPeriodStatus(db.pool, "1h", DIRTY_HOURS, "dirty");
  await setPeriodStatus(db.pool, "1d", DIRTY_DAYS, "dirty");
  const planted = emptyState();
  for (let i = 0; i < PLANTED_COUNT; i++) addValue(planted, 1e6);
  for (const metric of ["api_latency", "active_users"]) {
    for (const groupKey of ["", "/api/orders"]) {
      const rows = (starts: number[]) =>
        starts.map((periodStart) => ({ periodStart, groupKey, state: planted }));
      await upsertCoarseRows(db.pool, metric, "1h", rows([...DIRTY_HOURS, ...ABSENT_HOURS]));
      await upsertCoarseRows(db.pool, metric, "1d", rows([...DIRTY_DAYS, ...ABSENT_DAYS]));
    }
  }
}, 120_000);

afterAll(async () => {
  await db?.close();
  await database?.drop();
});

interface Case {
  tz: string;
  step: Step;
  from: string;
  to: string;
  unit: OracleQuery["unit"];
}

const CASES: Case[] = [
  { tz: "UTC", step: "1d", from: "2026-03-07T00:00:00Z", to: "2026-03-10T00:00:00Z", unit: "day" },
  { tz: "UTC", step: "1h", from: "2026-03-08T00:00:00Z", to: "2026-03-08T14:00:00Z", unit: "hour" },
  { tz: "UTC", step: "15m", from: "2026-03-08T04:00:00Z", to: "2026-03-08T07:00:00Z", unit: "15m" },
  {
    tz: "America/New_York",
    step: "1d",
    from: "2026-03-07T05:00:00Z",
    to: "2026-03-10T04:00:00Z",
    unit: "day",
  },
  {
    tz: "America/New_York",
    step: "1d",
    from: "2026-10-31T04:00:00Z",
    to: "2026-11-02T05:00:00Z",
    unit: "day",
  },
  {
    tz: "America/New_York",
    step: "1h",
    from: "2026-11-01T02:00:00Z",
    to: "2026-11-01T10:00:00Z",
    unit: "hour",
  },
  { tz: "Asia/Kolkata", step: "1d", from: "2026-03-06T18:30:00Z", to: "2026-03-09T18:30:00Z", unit: "day" },
  { tz: "Asia/Kolkata", step: "1h", from: "2026-03-08T02:30:00Z", to: "2026-03-08T12:30:00Z", unit: "hour" },
];

function compare(
  points: SeriesPoint[],
  expected: Awaited<ReturnType<typeof oracleBuckets>>,
  groups: string[],
) {
  const differences: string[] = [];
  for (const point of points) {
    const cells = expected.get(Date.parse(point.t));
    const label = `${point.t} ${point.group ?? ""}`;
    const cell =
      point.group === OTHER_GROUP
        ? mergeCells([...(cells ?? new Map())].filter(([g]) => !groups.includes(g)).map(([, c]) => c))
        : cells?.get(point.group ?? "");
    differences.push(...pointDifferences(point, cell, label));
  }
  return differences;
}

describe.each(CASES)("series $tz step $step from $from", ({ tz, step, from, to, unit }) => {
  it("ungrouped api_latency equals GROUP BY over raw_events", async () => {
    const series = await querySeries(deps, "api_latency", SeriesQueryOf(from, to, step, tz));
    const expected = await oracleBuckets(db.pool, {
      ...oracle(series, unit, tz),
      groupAttr: null,
      distinctAttr: null,
    });
    expect(series.points.length).toBeGreaterThanOrEqual(2);
    expect(compare(series.points, expected, [])).toEqual([]);
  });

  it("grouped by route (top 3 + other) equals GROUP BY over raw_events", async () => {
    const series = await querySeries(deps, "api_latency", {
      ...SeriesQueryOf(from, to, step, tz),
      groupBy: "route",
      limit: 3,
    });
    const expected = await oracleBuckets(db.pool, {
      ...oracle(series, unit, tz),
      groupAttr: "route",
      distinctAttr: null,
    });
    expect(series.groups).toEqual([...oracleRanking(expected).slice(0, 3), OTHER_GROUP]);
    expect(compare(series.points, expected, series.groups)).toEqual([]);
  });

  it("distinct users come from merged HLL states", async () => {
    const series = await querySeries(deps, "active_users", SeriesQueryOf(from, to, step, tz));
    const expected = await oracleBuckets(db.pool, {
      ...oracle(series, unit, tz),
      type: "page_view",
      groupAttr: null,
      distinctAttr: "user_id",
    });
    expect(compare(series.points, expected, [])).toEqual([]);
  });
});

function SeriesQueryOf(from: string, to: string, step: Step, tz: string) {
  return { from: t(from), to: t(to), step, tz, limit: 5, format: "json" as const, groupBy: undefined };
}

function oracle(series: { from: string; to: string }, unit: OracleQuery["unit"], tz: string): OracleQuery {
  return {
    type: "api_request",
    unit,
    tz,
    from: Date.parse(series.from),
    to: Date.parse(series.to),
    groupAttr: null,
    distinctAttr: null,
  };
}

describe("time zones", () => {
  it("gives New York a 23 h and a 25 h day", async () => {
    const spring = await querySeries(
      deps,
      "api_latency",
      SeriesQueryOf("2026-03-07T05:00:00Z", "2026-03-10T04:00:00Z", "1d", "America/New_York"),
    );
    const fall = await querySeries(
      deps,
      "api_latency",
      SeriesQueryOf("2026-10-31T04:00:00Z", "2026-11-02T05:00:00Z", "1d", "America/New_York"),
    );
    const hours = (p: SeriesPoint) => (Date.parse(p.end) - Date.parse(p.t)) / H;
    expect(spring.points.map(hours)).toEqual([24, 23, 24]);
    expect(fall.points.map(hours)).toEqual([24, 25]);
    expect(fall.points.map((p) => p.t)).toEqual([
      "2026-10-31T00:00:00.000-04:00",
      "2026-11-01T00:00:00.000-04:00",
    ]);
  });

  it("starts Kolkata buckets at local midnight (+05:30)", async () => {
    const series = await querySeries(
      deps,
      "api_latency",
      SeriesQueryOf("2026-03-07T00:00:00Z", "2026-03-08T00:00:00Z", "1d", "Asia/Kolkata"),
    );
    expect(series.points.map((p) => p.t)).toEqual([
      "2026-03-07T00:00:00.000+05:30",
      "2026-03-08T00:00:00.000+05:30",
    ]);
  });
});

describe("tiers", () => {
  it("reads a coarse row once its period is compacted (the planted row shows through)", async () => {
    const hour = DIRTY_HOURS[0] ?? 0;
    const query = SeriesQueryOf(new Date(hour).toISOString(), new Date(hour + H).toISOString(), "1h", "UTC");
    const honest = await querySeries(deps, "api_latency", query);
    await setPeriodStatus(db.pool, "1h", [hour], "compacted");
    try {
      const planted = await querySeries(deps, "api_latency", query);
      expect(planted.points[0]?.count).toBe(PLANTED_COUNT);
    } finally {
      await setPeriodStatus(db.pool, "1h", [hour], "dirty");
    }
    expect(honest.points[0]?.count).toBeGreaterThan(0);
    expect(honest.points[0]?.count).toBeLessThan(1000);
  });
});

describe("states and watermark", () => {
  it("marks buckets final behind the watermark and open after it", async () => {
    const series = await querySeries(
      deps,
      "api_latency",
      SeriesQueryOf("2026-11-02T20:00:00Z", "2026-11-03T02:00:00Z", "1h", "UTC"),
    );
    const watermark = Date.parse(series.watermark ?? "");
    expect(watermark).toBeGreaterThan(t("2026-11-02T23:59:00Z"));
    expect(series.complete).toBe(false);
    for (const p of series.points) expect(p.state).toBe(Date.parse(p.end) <= watermark ? "final" : "open");
    expect(series.points.map((p) => p.state)).toContain("open");
  });
});

describe("the reader's clock bounds the watermark", () => {
  it("never calls a future minute final nor a range ending after now complete", async () => {
    // The stored clock (2026-11-03, end of the fixture) is ahead of this reader's now.
    const now = t("2026-11-02T22:30:00Z");
    const series = await querySeries(
      { ...deps, now: () => now },
      "api_latency",
      SeriesQueryOf("2026-11-02T20:00:00Z", "2026-11-02T23:00:00Z", "1h", "UTC"),
    );
    expect(series.watermark).toBe(new Date(now - 5_000).toISOString());
    expect(series.complete).toBe(false);
    expect(series.points.map((p) => [p.t, p.state])).toEqual([
      ["2026-11-02T20:00:00.000+00:00", "final"],
      ["2026-11-02T21:00:00.000+00:00", "final"],
      ["2026-11-02T22:00:00.000+00:00", "open"],
    ]);
    const breakdown = await queryBreakdown({ ...deps, now: () => now }, "api_latency", {
      from: t("2026-11-02T21:00:00Z"),
      to: t("2026-11-02T22:45:00Z"),
      by: "route",
      tz: "UTC",
      limit: 4,
      format: "json",
    });
    expect(breakdown.complete).toBe(false);
    expect(breakdown.total.state).toBe("open");
  });
});

describe("breakdown", () => {
  it.each([
    ["2026-03-07T00:00:00Z", "2026-03-10T12:00:00Z"],
    ["2026-10-31T03:17:00Z", "2026-11-01T09:43:00Z"],
  ])("per-route rows and total over %s..%s equal GROUP BY over raw_events", async (from, to) => {
    const breakdown = await queryBreakdown(deps, "api_latency", {
      from: t(from),
      to: t(to),
      by: "route",
      tz: "UTC",
      limit: 4,
      format: "json",
    });
    const range = {
      type: "api_request",
      unit: "range",
      tz: "UTC",
      from: t(from),
      to: t(to),
      distinctAttr: null,
    } as const;
    const grouped =
      (await oracleBuckets(db.pool, { ...range, groupAttr: "route" })).get(t(from)) ?? new Map();
    const total = (await oracleBuckets(db.pool, { ...range, groupAttr: null })).get(t(from))?.get("");
    const groups = breakdown.rows.map((r) => r.group);
    expect(groups).toEqual([...oracleRanking(new Map([[0, grouped]])).slice(0, 4), OTHER_GROUP]);
    const differences = breakdown.rows.flatMap((row) =>
      pointDifferences(
        row,
        row.group === OTHER_GROUP
          ? mergeCells([...grouped].filter(([g]) => !groups.includes(g)).map(([, c]) => c))
          : grouped.get(row.group),
        row.group,
      ),
    );
    expect([...differences, ...pointDifferences(breakdown.total, total, "total")]).toEqual([]);
  });
});
