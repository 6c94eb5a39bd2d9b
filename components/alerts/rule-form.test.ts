import { describe, expect, it } from "vitest";
import { AlertRuleSpec } from "../../server/contract/alerts";
import { describeRule, EMPTY_FORM, formatDuration, formToSpec, specToForm } from "./rule-form";

describe("rule form", () => {
  it("turns the default form into a valid spec, and a spec back into the same form", () => {
    const spec = AlertRuleSpec.parse(formToSpec({ ...EMPTY_FORM, name: "Latency" }));
    expect(spec).toMatchObject({
      subject: { kind: "metric", metric: "api_latency", statistic: "p95" },
      repeatIntervalMs: 3_600_000,
    });
    expect(specToForm(spec)).toEqual({ ...EMPTY_FORM, name: "Latency" });
  });

  it("round-trips a ratio rule with hysteresis, pending, keep-firing and N of M", () => {
    const form = {
      ...EMPTY_FORM,
      name: "Error rate",
      subjectKind: "ratio" as const,
      metric: "api_errors",
      statistic: "count" as const,
      windowMs: 300_000,
      op: ">=" as const,
      threshold: "5",
      recoveryThreshold: "3",
      pendingS: "30",
      keepFiringS: "60",
      n: "2",
      m: "3",
      minVolume: "20",
      noDataS: "120",
    };
    const spec = AlertRuleSpec.parse(formToSpec(form));
    expect(spec).toMatchObject({
      pendingMs: 30_000,
      keepFiringMs: 60_000,
      nOfM: { n: 2, m: 3 },
      noDataMs: 120_000,
    });
    expect(specToForm(spec)).toEqual(form);
    expect(describeRule(spec)).toBe(
      "count(api_errors) / count(api_requests) % over 5 min >= 5 (recovers past 3)",
    );
  });

  it("sends a blank threshold as NaN so the server names the field", () => {
    const parsed = AlertRuleSpec.safeParse(formToSpec({ ...EMPTY_FORM, name: "x", threshold: "" }));
    expect(parsed.error?.issues[0]?.path).toEqual(["condition", "threshold"]);
  });

  it("formats durations", () => {
    expect([
      formatDuration(5_000),
      formatDuration(300_000),
      formatDuration(5_400_000),
      formatDuration(7_200_000),
    ]).toEqual(["5 s", "5 min", "1 h 30 min", "2 h"]);
  });
});
