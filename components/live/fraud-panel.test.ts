import { describe, expect, it } from "vitest";
import { MetricDefinition, subscriptionId, type MetricDefinitionInput } from "../../server/contract";
import { countOnlySummary } from "../../server/testing/summaries";
import { planDashboard, planSubscriptions } from "./dashboard-plan";
import type { SeriesState } from "./live-series";
import { buildView } from "./view-model";

const def = (input: MetricDefinitionInput) => MetricDefinition.parse(input);
const exists = [{ attr: "fraud_decision", op: "exists" as const }];
// The definitions migration 20261205100000_fraud seeds, plus one the live page already had.
const DEFS = [
  def({ name: "transactions", eventType: "transaction", aggregation: "count", groupBy: "merchant_category" }),
  def({
    name: "transactions_by_decision",
    eventType: "transaction",
    aggregation: "count",
    filter: exists,
    groupBy: "fraud_decision",
  }),
  def({ name: "transactions_scored", eventType: "transaction", aggregation: "count", filter: exists }),
  def({
    name: "transactions_flagged",
    eventType: "transaction",
    aggregation: "count",
    filter: [{ attr: "fraud_decision", op: "eq", value: "flagged" }],
  }),
  def({
    name: "fraud_decision_latency",
    eventType: "transaction",
    aggregation: "p99",
    field: "fraud_latency_ms",
    filter: exists,
    unit: "ms",
  }),
];

const T = Date.UTC(2026, 11, 2, 8, 0, 0);
const series = (
  metric: string,
  groupBy: string | undefined,
  counts: Record<string, number>,
): SeriesState => ({
  subscription: subscriptionId({ metric, resolution: "1m", ...(groupBy ? { groupBy } : {}) }),
  resolution: "1m",
  seq: 1,
  watermark: T + 120_000,
  buckets: Object.fromEntries(
    Object.entries(counts).map(([group, count]) => [
      `${T}|${group}`,
      {
        metric,
        resolution: "1m",
        bucketStart: T,
        groupKey: group,
        state: "final",
        summary: countOnlySummary(count),
      },
    ]),
  ),
});

describe("the live page's fraud panel", () => {
  it("finds the decision metrics by the attrs they use, and keeps them out of the other figures", () => {
    const plan = planDashboard(DEFS);
    expect(plan.fraud).toEqual({
      byOutcome: expect.objectContaining({ name: "transactions_by_decision" }),
      scored: expect.objectContaining({ name: "transactions_scored" }),
      flagged: expect.objectContaining({ name: "transactions_flagged" }),
      latency: expect.objectContaining({ name: "fraud_decision_latency" }),
    });
    expect([plan.latency, plan.errorRate, plan.transactions?.name]).toEqual([null, null, "transactions"]);
    expect(planSubscriptions(plan, "1m")).toContainEqual({
      metric: "transactions_by_decision",
      resolution: "1m",
      groupBy: "fraud_decision",
    });
  });

  it("shows decisions per minute by outcome and the flag rate", () => {
    const plan = planDashboard(DEFS);
    const state = {
      [subscriptionId({ metric: "transactions_by_decision", resolution: "1m", groupBy: "fraud_decision" })]:
        series("transactions_by_decision", "fraud_decision", { approved: 45, flagged: 5 }),
      [subscriptionId({ metric: "transactions_scored", resolution: "1m" })]: series(
        "transactions_scored",
        undefined,
        { "": 50 },
      ),
      [subscriptionId({ metric: "transactions_flagged", resolution: "1m" })]: series(
        "transactions_flagged",
        undefined,
        { "": 5 },
      ),
    };
    const view = buildView(plan, state, "1m", T + 30_000);
    const row = view.decisions?.find((r) => r.t === T);
    expect(row).toMatchObject({ approved: 45, flagged: 5 });
    expect(view.tiles.find((t) => t.id === "flag-rate")?.tile.value).toBe(0.1);
  });

  it("has no fraud panel without decision metrics", () => {
    expect(planDashboard(DEFS.slice(0, 1)).fraud).toBeNull();
  });
});
