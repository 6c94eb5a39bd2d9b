import { countOnlySummary } from "../../server/testing/summaries";
import { describe, expect, it } from "vitest";
import type { MetricDefinitionInput } from "../../server/contract";
import { MetricDefinition } from "../../server/contract";
import { planDashboard, planSubscriptions } from "./dashboard-plan";
import { combine, freshnessOf, perSecond, ratio, tileOf, type Point } from "./figures";
import type { Slot } from "./live-series";

const T = Date.UTC(2026, 11, 1, 8);
const slot = (i: number, count: number | null, state: Slot["state"]): Slot => ({
  t: T + i * 10_000,
  state,
  bucket:
    count === null
      ? null
      : {
          metric: "m",
          resolution: "10s",
          bucketStart: T + i * 10_000,
          groupKey: "",
          state,
          summary: countOnlySummary(count),
        },
});

describe("figures", () => {
  it("adds counts to events per second and takes error rates as ratios", () => {
    const a = [slot(0, 10, "final"), slot(1, 20, "open")];
    const b = [slot(0, 30, "revised"), slot(1, null, "final")];
    expect(combine([a, b], perSecond(10_000))).toEqual([
      { t: T, value: 4, state: "revised" },
      { t: T + 10_000, value: 2, state: "open" },
    ]);
    expect(combine([a, b], ratio).map((p) => p.value)).toEqual([10 / 30, null]);
  });

  it("shows the newest settled bucket on a tile, compared with the one before", () => {
    const points: Point[] = [
      { t: T, value: 4, state: "final" },
      { t: T + 10_000, value: 5, state: "revised" },
      { t: T + 20_000, value: 1, state: "open" },
    ];
    expect(tileOf(points)).toMatchObject({
      value: 5,
      previous: 4,
      change: 0.25,
      state: "revised",
      t: T + 10_000,
    });
    expect(tileOf([{ t: T, value: 2, state: "open" }])).toMatchObject({
      value: 2,
      previous: null,
      change: null,
    });
    expect(tileOf([])).toMatchObject({ value: null, state: null });
  });

  it.each([
    [T + 5_000, T, "fresh"],
    [T + 20_000, T, "lagging"],
    [T + 61_000, T, "stale"],
    [T, null, "unknown"],
  ] as const)("freshness at now=%s, watermark=%s is %s", (now, watermark, level) => {
    expect(freshnessOf(now, watermark).level).toBe(level);
  });
});

const def = (input: MetricDefinitionInput) => MetricDefinition.parse(input);
const SEEDED = [
  def({ name: "page_views", eventType: "page_view", aggregation: "count", groupBy: "path" }),
  def({ name: "page_views_by_country", eventType: "page_view", aggregation: "count", groupBy: "country" }),
  def({
    name: "active_users",
    eventType: "page_view",
    aggregation: "distinct",
    field: "user_id",
    unit: "users",
  }),
  def({ name: "api_requests", eventType: "api_request", aggregation: "count", groupBy: "route" }),
  def({ name: "api_latency", eventType: "api_request", aggregation: "p95", groupBy: "route", unit: "ms" }),
  def({
    name: "api_errors",
    eventType: "api_request",
    aggregation: "count",
    filter: [{ attr: "status", op: "gte", value: 500 }],
    groupBy: "route",
  }),
  def({ name: "transactions", eventType: "transaction", aggregation: "count", groupBy: "merchant_category" }),
  def({ name: "transaction_amount", eventType: "transaction", aggregation: "sum", groupBy: "currency" }),
  def({ name: "errors", eventType: "error", aggregation: "count", groupBy: "route" }),
  def({ name: "checkout_clicks", eventType: "click", aggregation: "count", enabled: false }),
];

describe("dashboard plan", () => {
  it("chooses metrics by their shape, not their name", () => {
    const plan = planDashboard(SEEDED);
    expect(plan.throughput.map((d) => d.name)).toEqual([
      "api_requests",
      "errors",
      "page_views",
      "transactions",
    ]);
    expect(plan.latency?.name).toBe("api_latency");
    expect([plan.errorRate?.errors.name, plan.errorRate?.total.name]).toEqual(["api_errors", "api_requests"]);
    expect(plan.activeUsers?.name).toBe("active_users");
    expect([plan.transactions?.name, plan.amount?.name]).toEqual(["transactions", "transaction_amount"]);
    expect(plan.breakdowns.map((d) => d.name)).toEqual(["api_requests", "page_views_by_country"]);
  });

  it("subscribes once per total plus the breakdown groups", () => {
    expect(planSubscriptions(planDashboard(SEEDED), "1m")).toEqual([
      { metric: "active_users", resolution: "1m" },
      { metric: "api_errors", resolution: "1m" },
      { metric: "api_latency", resolution: "1m" },
      { metric: "api_requests", resolution: "1m" },
      { metric: "errors", resolution: "1m" },
      { metric: "page_views", resolution: "1m" },
      { metric: "transaction_amount", resolution: "1m" },
      { metric: "transactions", resolution: "1m" },
      { metric: "api_requests", resolution: "1m", groupBy: "route" },
      { metric: "page_views_by_country", resolution: "1m", groupBy: "country" },
    ]);
  });

  it("leaves out what no definition provides", () => {
    const plan = planDashboard(SEEDED.filter((d) => d.eventType === "page_view"));
    expect([plan.latency, plan.errorRate, plan.transactions, plan.amount]).toEqual([null, null, null, null]);
  });
});
