import { describe, expect, it } from "vitest";
import {
  AlertChannelSpec,
  AlertRuleSpec,
  AlertSilenceSpec,
  MetricDefinition,
  type AlertRuleSpecInput,
} from "../../contract";
import { checkRule } from "./rule-check";

const base: AlertRuleSpecInput = {
  name: "Error rate",
  subject: {
    kind: "ratio",
    numerator: { metric: "api_errors", statistic: "count" },
    denominator: { metric: "api_requests", statistic: "count" },
  },
  windowMs: 300_000,
  condition: { kind: "threshold", op: ">=", threshold: 5 },
};

/** The first issue's field path and message, as the API reports it. */
function refusal(input: unknown): string {
  const parsed = AlertRuleSpec.safeParse(input);
  if (parsed.success) return "accepted";
  const issue = parsed.error.issues[0];
  return `${issue?.path.join(".")}: ${issue?.message}`;
}

describe("rules the contract refuses, naming the field", () => {
  it.each<[string, unknown, RegExp]>([
    [
      "threshold NaN",
      { ...base, condition: { kind: "threshold", op: ">", threshold: Number.NaN } },
      /^condition\.threshold: /,
    ],
    [
      "recovery on the wrong side",
      { ...base, recoveryThreshold: 6 },
      /^recoveryThreshold: must be at or below the threshold 5/,
    ],
    [
      "recovery on the wrong side of <",
      { ...base, condition: { kind: "threshold", op: "<", threshold: 5 }, recoveryThreshold: 4 },
      /^recoveryThreshold: must be at or above/,
    ],
    [
      "window shorter than the bucket",
      { ...base, bucket: "1m", windowMs: 30_000 },
      /^windowMs: window 30 s must be a whole number of 1m buckets/,
    ],
    ["window not offered", { ...base, windowMs: 120_000 }, /^windowMs: must be one of/],
    ["more groups than the cap", { ...base, maxGroups: 101 }, /^maxGroups: at most 100 groups per rule/],
    [
      "a percentile over several buckets",
      { ...base, subject: { kind: "metric", metric: "api_latency", statistic: "p95" } },
      /^windowMs: p95 is evaluated per bucket/,
    ],
    [
      "unknown statistic",
      { ...base, subject: { kind: "metric", metric: "x", statistic: "p42" } },
      /^subject\.statistic: /,
    ],
    ["n above m", { ...base, nOfM: { n: 3, m: 2 } }, /^nOfM: n must not exceed m/],
    ["empty name", { ...base, name: " " }, /^name: must not be empty/],
  ])("%s", (_, input, message) => {
    expect(refusal(input)).toMatch(message);
  });

  it("accepts the demo's error-rate rule", () => {
    expect(refusal({ ...base, recoveryThreshold: 3, minVolume: 20 })).toBe("accepted");
  });

  it("refuses a webhook URL that is not http(s), a short secret, and a silence without an end", () => {
    const channel = (url: string) =>
      AlertChannelSpec.safeParse({ name: "ops", url, secret: "0123456789abcdef" });
    expect(channel("ftp://example.com/hook").error?.issues[0]).toMatchObject({
      path: ["url"],
      message: "must be an http(s) URL",
    });
    expect(channel("javascript:alert(1)").success).toBe(false);
    expect(channel("https://example.com/hook").success).toBe(true);
    expect(
      AlertChannelSpec.safeParse({ name: "ops", url: "http://x.test", secret: "short" }).error?.issues[0]
        ?.path,
    ).toEqual(["secret"]);
    const silence = AlertSilenceSpec.safeParse({ matchers: [{ label: "rule", value: "x" }] });
    expect(silence.error?.issues[0]).toMatchObject({ path: ["endsAt"] });
    const zone = AlertSilenceSpec.safeParse({
      matchers: [{ label: "rule", value: "x" }],
      recurring: { days: [1], start: "22:00", end: "06:00", timeZone: "Mars/Olympus" },
    });
    expect(zone.error?.issues[0]?.path).toEqual(["recurring", "timeZone"]);
  });
});

describe("rules checked against the metric definitions", () => {
  const defs = new Map(
    [
      { name: "api_requests", eventType: "api_request", aggregation: "count", groupBy: "route" },
      { name: "api_errors", eventType: "api_request", aggregation: "count", groupBy: "route" },
      { name: "signups", eventType: "signup", aggregation: "count" },
      { name: "old", eventType: "signup", aggregation: "count", enabled: false },
    ].map((d) => [d.name, MetricDefinition.parse(d)]),
  );
  const rule = (over: Partial<AlertRuleSpecInput>) => AlertRuleSpec.parse({ ...base, ...over });

  it("an unknown metric, a ratio grouped differently, a foreign group-by, a disabled metric", () => {
    expect(
      checkRule(rule({ subject: { kind: "metric", metric: "nope", statistic: "count" } }), defs),
    ).toEqual([{ field: "subject.metric", message: 'no metric named "nope"' }]);
    const mixed = rule({
      subject: {
        kind: "ratio",
        numerator: { metric: "signups", statistic: "count" },
        denominator: { metric: "api_requests", statistic: "count" },
      },
    });
    expect(checkRule(mixed, defs)[0]?.field).toBe("subject.denominator.metric");
    expect(checkRule(rule({ groupBy: "region" }), defs)).toEqual([
      { field: "groupBy", message: "metric api_errors groups by route, not region" },
    ]);
    expect(checkRule(rule({ groupBy: "route" }), defs)).toEqual([]);
    const disabled = rule({ subject: { kind: "metric", metric: "old", statistic: "count" } });
    expect(checkRule(disabled, defs)).toEqual([
      { field: "subject.metric", message: 'metric "old" is disabled' },
    ]);
    expect(checkRule(disabled, defs, false)).toEqual([]);
  });
});
