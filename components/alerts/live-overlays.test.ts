import { describe, expect, it } from "vitest";
import type { AlertEventView, AlertRuleSummary } from "../../server/contract/alerts-api";
import { chartOverlay } from "./live-overlays";

const T = Date.UTC(2026, 11, 2, 7, 0, 0);
const rule: AlertRuleSummary = {
  id: "r1",
  name: "Error rate",
  subject: {
    kind: "ratio",
    numerator: { metric: "api_errors", statistic: "count" },
    denominator: { metric: "api_requests", statistic: "count" },
  },
  groupBy: null,
  threshold: 5,
  recoveryThreshold: 3,
};
const event = (s: number, from: AlertEventView["from"], to: AlertEventView["to"]): AlertEventView => ({
  id: `${s}`,
  ruleId: "r1",
  ruleName: "Error rate",
  group: "",
  at: new Date(T + s * 1000).toISOString(),
  kind: "transition",
  from,
  to,
  value: 1,
  threshold: 5,
  reason: null,
  silenced: false,
  buckets: [],
});
const errorChart = (s: AlertRuleSummary["subject"]) => (s.kind === "ratio" ? 0.01 : null);

describe("chart overlays", () => {
  it("draws scaled threshold and recovery lines and the firing bands, clipped to the chart", () => {
    const events = [
      event(10, "normal", "pending"),
      event(20, "pending", "firing"),
      event(50, "firing", "recovering"),
      event(60, "recovering", "firing"),
      event(80, "firing", "recovering"),
      event(110, "recovering", "normal"),
      event(200, "normal", "firing"),
    ];
    const overlay = chartOverlay([rule], [...events].reverse(), errorChart, T, T + 300_000);
    expect(overlay.lines).toEqual([
      { value: 0.05, label: "Error rate", kind: "threshold" },
      { value: 0.03, label: "Error rate recovers", kind: "recovery" },
    ]);
    expect(overlay.bands).toEqual([
      { from: T + 20_000, to: T + 110_000, label: "Error rate" },
      { from: T + 200_000, to: T + 300_000, label: "Error rate" },
    ]);
    expect(chartOverlay([rule], events, errorChart, T + 30_000, T + 100_000).bands).toEqual([
      { from: T + 30_000, to: T + 100_000, label: "Error rate" },
    ]);
  });

  it("leaves out rules of other subjects and rules per group", () => {
    expect(chartOverlay([rule], [], () => null, T, T + 1).lines).toEqual([]);
    expect(chartOverlay([{ ...rule, groupBy: "route" }], [], errorChart, T, T + 1).lines).toEqual([]);
  });
});
