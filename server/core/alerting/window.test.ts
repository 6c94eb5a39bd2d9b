import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AlertRuleSpec, type AlertRuleSpecInput, type Statistic, type Summary } from "../../contract";
import { backtest } from "./backtest";
import { sampleWindow, type MetricSeries, type SeriesBucket } from "./window";

const T0 = Date.UTC(2026, 10, 1, 12, 0, 0);
const MIN = 60_000;

interface RawEvent {
  t: number;
  value: number;
  group: string;
}

/** Bucket summaries computed straight from raw events (what the stream publishes per bucket). */
function seriesOf(events: readonly RawEvent[]): MetricSeries {
  const series = new Map<string, Map<number, SeriesBucket>>();
  for (const e of events)
    for (const group of ["", e.group]) {
      const start = Math.floor(e.t / MIN) * MIN;
      const byStart = series.get(group) ?? new Map<number, SeriesBucket>();
      series.set(group, byStart);
      const b = byStart.get(start) ?? { start, state: "final" as const, summary: emptySummary() };
      const s = b.summary;
      b.summary = {
        ...s,
        count: s.count + 1,
        sum: s.sum + e.value,
        min: s.min === null ? e.value : Math.min(s.min, e.value),
        max: s.max === null ? e.value : Math.max(s.max, e.value),
      };
      byStart.set(start, b);
    }
  return series;
}

function emptySummary(): Summary {
  return {
    count: 0,
    sum: 0,
    avg: null,
    min: null,
    max: null,
    p50: null,
    p90: null,
    p95: null,
    p99: null,
    distinct: 0,
  };
}

/** The statistic of the raw events inside [from, to), computed directly. */
function bruteForce(statistic: Statistic, events: readonly RawEvent[], windowMs: number): number | null {
  const values = events.map((e) => e.value);
  if (statistic === "count") return values.length;
  if (statistic === "rate") return values.length / (windowMs / 1000);
  if (statistic === "sum") return values.reduce((a, b) => a + b, 0);
  if (values.length === 0) return null;
  if (statistic === "avg") return values.reduce((a, b) => a + b, 0) / values.length;
  if (statistic === "min") return Math.min(...values);
  return Math.max(...values);
}

const rule = (over: Partial<AlertRuleSpecInput>) =>
  AlertRuleSpec.parse({
    name: "r",
    subject: { kind: "metric", metric: "lat", statistic: "avg" },
    windowMs: 5 * MIN,
    condition: { kind: "threshold", op: ">", threshold: 100 },
    ...over,
  });

const eventArb = fc.record({
  t: fc.integer({ min: T0, max: T0 + 20 * MIN - 1 }),
  value: fc.integer({ min: 0, max: 1000 }),
  group: fc.constantFrom("a", "b", "c"),
});

describe("window samples from bucket summaries", () => {
  it("equal the statistic of the raw events in the window, per group", () => {
    fc.assert(
      fc.property(
        fc.array(eventArb, { maxLength: 200 }),
        fc.constantFrom<Statistic>("count", "rate", "sum", "avg", "min", "max"),
        fc.constantFrom(MIN, 5 * MIN, 15 * MIN),
        fc.integer({ min: 0, max: 19 }),
        fc.constantFrom("", "a", "b"),
        (events, statistic, windowMs, endIndex, group) => {
          const r = rule({ subject: { kind: "metric", metric: "lat", statistic }, windowMs });
          const end = T0 + endIndex * MIN;
          const src = { series: new Map([["lat", seriesOf(events)]]), watermark: null };
          const inWindow = events.filter(
            (e) => e.t >= end + MIN - windowMs && e.t < end + MIN && (group === "" || e.group === group),
          );
          const sample = sampleWindow(r, src, group, end, end + MIN);
          const expected = bruteForce(statistic, inWindow, windowMs);
          if (expected === null) expect(sample.value).toBeNull();
          else expect(sample.value).toBeCloseTo(expected, 9);
          expect(sample.volume).toBe(inWindow.length);
        },
      ),
    );
  });

  it("a ratio is 100 × numerator / denominator; a change compares with the previous window", () => {
    const errors = seriesOf([{ t: T0 + 5_000, value: 0, group: "x" }]);
    const requests = seriesOf(
      Array.from({ length: 40 }, (_, i) => ({ t: T0 + i * 1000, value: 0, group: i < 20 ? "x" : "y" })),
    );
    const src = {
      series: new Map([
        ["errors", errors],
        ["requests", requests],
      ]),
      watermark: null,
    };
    const ratio = rule({
      subject: {
        kind: "ratio",
        numerator: { metric: "errors", statistic: "count" },
        denominator: { metric: "requests", statistic: "count" },
      },
      windowMs: MIN,
    });
    expect(sampleWindow(ratio, src, "", T0, T0 + MIN)).toMatchObject({ value: 2.5, volume: 40 });
    expect(sampleWindow(ratio, src, "x", T0, T0 + MIN)).toMatchObject({ value: 5, volume: 20 });
    expect(sampleWindow(ratio, src, "x", T0 + MIN, T0 + 2 * MIN).value).toBeNull();

    const growth = seriesOf([
      ...Array.from({ length: 10 }, (_, i) => ({ t: T0 + i, value: 1, group: "a" })),
      ...Array.from({ length: 15 }, (_, i) => ({ t: T0 + MIN + i, value: 1, group: "a" })),
    ]);
    const gsrc = { series: new Map([["lat", growth]]), watermark: null };
    const pct = rule({
      subject: { kind: "metric", metric: "lat", statistic: "count" },
      windowMs: MIN,
      condition: { kind: "change", mode: "percent", op: ">", threshold: 20 },
    });
    expect(sampleWindow(pct, gsrc, "", T0 + MIN, T0 + 2 * MIN).value).toBe(50);
    const abs = { ...pct, condition: { ...pct.condition, mode: "absolute" as const } };
    expect(sampleWindow(abs, gsrc, "", T0 + MIN, T0 + 2 * MIN).value).toBe(5);
  });
});

describe("back-test", () => {
  it("counts firings, notifications, time firing and bands over stored buckets", () => {
    // Avg latency 50 except minutes 3–5 (600) and 10 (700): two incidents.
    const events = Array.from({ length: 15 }, (_, m) => ({
      t: T0 + m * MIN,
      value: m >= 3 && m <= 5 ? 600 : m === 10 ? 700 : 50,
      group: "g",
    }));
    const r = rule({ windowMs: MIN, keepFiringMs: MIN, repeatIntervalMs: MIN });
    const result = backtest(r, new Map([["lat", seriesOf(events)]]), T0, T0 + 15 * MIN);
    // Each evaluation happens at its bucket's end: fires at the end of minute 3, recovers at the
    // end of 6, normal at the end of 7 (clear for 1 min). Second: end of 10 → recovering at 11 → normal at 12.
    expect(result.fired).toBe(2);
    expect(result.bands).toEqual([
      { group: "", from: T0 + 4 * MIN, to: T0 + 8 * MIN },
      { group: "", from: T0 + 11 * MIN, to: T0 + 13 * MIN },
    ]);
    expect(result.firingMs).toBe(6 * MIN);
    // firing + resolved per incident, plus repeats while firing at the ends of minutes 4 and 5.
    expect(result.notifications).toBe(2 + 2 + 2);
    expect(result.points).toHaveLength(15);
    expect(result.points[3]).toEqual({ t: T0 + 3 * MIN, group: "", value: 600 });
  });
});
