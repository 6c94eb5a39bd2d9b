import { describe, expect, it } from "vitest";
import { MetricDefinition, type ValidEvent } from "../contract";
import { mergeInto, type AggregateState } from "./aggregate-state";
import { deltaKey, metricDeltas } from "./engine";
import { batchOracle, findDrift, stateDifferences, summarizeDrift, type MinuteState } from "./reconcile";

const T0 = Date.UTC(2026, 10, 20, 10, 0, 0);
const definitions = [
  { name: "api_latency", eventType: "api_request", aggregation: "p95", field: "value", groupBy: "route" },
  { name: "users", eventType: "api_request", aggregation: "distinct", field: "user_id" },
].map((d) => MetricDefinition.parse(d));
const metrics = new Set(["api_latency", "users", "events"]);

const event = (i: number, offsetMs: number, value: number): ValidEvent => ({
  id: `e${i}`,
  type: "api_request",
  ts: T0 + offsetMs,
  v: 1,
  value,
  attrs: { route: i % 2 ? "/a" : "/b", user_id: `u${i % 5}` },
});
const events = Array.from({ length: 40 }, (_, i) => event(i, i * 7_000, 10 + ((i * 37) % 91)));

/** What the stream writes: the same events folded in small batches, as the processor does. */
function streamed(input: readonly ValidEvent[]): Map<string, MinuteState> {
  const rows = new Map<string, MinuteState>();
  for (let i = 0; i < input.length; i += 3) {
    const batch = input.slice(i, i + 3).map((e) => ({ event: e, lateness: "on_time" as const }));
    for (const delta of metricDeltas(definitions, batch)) {
      const key = deltaKey(delta.metric, delta.bucketStart, delta.groupKey);
      const row = rows.get(key);
      if (row) mergeInto(row.state, delta.state);
      else rows.set(key, delta);
    }
  }
  for (const [key, row] of batchOracle([], input)) rows.set(key, row);
  return rows;
}

describe("batchOracle and findDrift", () => {
  it("finds no drift when the stream saw every event (order and batching do not matter)", () => {
    const oracle = batchOracle(definitions, events);
    expect(findDrift(oracle, streamed([...events].reverse()), metrics)).toEqual([]);
  });

  it("reports a too-late event the stream left out, per metric", () => {
    const late = event(99, 30_000, 5000);
    const oracle = batchOracle(definitions, [...events, late]);
    const drift = findDrift(oracle, streamed(events), metrics);
    const byMetric = summarizeDrift(drift);
    expect(byMetric.map((m) => [m.metric, m.bucketsDrifted, m.batchCount - m.streamedCount])).toEqual([
      ["api_latency", 2, 2], // the all-groups row and the "/a" row of minute 0
      ["events", 1, 1],
      ["users", 1, 1],
    ]);
    const latency = drift.find((d) => d.metric === "api_latency" && d.groupKey === "");
    expect(latency?.fields).toEqual(["count", "sum", "max", "quantiles"]);
  });

  it.each([
    ["a tampered count", (s) => void (s.count += 1), ["count"]],
    ["a tampered sum", (s) => void (s.sum += 0.5), ["sum"]],
    ["a tampered min", (s) => void (s.min = -1), ["min"]],
  ] as [string, (s: AggregateState) => void, string[]][])("detects %s", (_name, tamper, fields) => {
    const rows = streamed(events);
    const first = [...rows.values()].find((r) => r.metric === "api_latency");
    if (!first) throw new Error("no row");
    tamper(first.state);
    const drift = findDrift(batchOracle(definitions, events), rows, metrics);
    expect(drift.map((d) => [d.kind, d.fields])).toEqual([["different", fields]]);
  });

  it("reports rows the raw events do not explain, but only for metrics it covers", () => {
    const rows = streamed(events);
    const extra = {
      bucketStart: T0 + 120 * 60_000,
      groupKey: "",
      state: batchOracle([], [events[0] as ValidEvent])
        .values()
        .next().value?.state,
    };
    if (!extra.state) throw new Error("no state");
    rows.set(deltaKey("users", extra.bucketStart, ""), { metric: "users", ...extra, state: extra.state });
    rows.set(deltaKey("retired", extra.bucketStart, ""), { metric: "retired", ...extra, state: extra.state });
    const drift = findDrift(batchOracle(definitions, events), rows, metrics);
    expect(drift.map((d) => [d.metric, d.kind])).toEqual([["users", "unexpected"]]);
  });

  it("folded page by page equals one pass over all events", () => {
    const paged = new Map<string, MinuteState>();
    for (let i = 0; i < events.length; i += 7) batchOracle(definitions, events.slice(i, i + 7), paged);
    expect(findDrift(batchOracle(definitions, events), paged, metrics)).toEqual([]);
    expect(paged.size).toBe(batchOracle(definitions, events).size);
  });

  it("tolerates float rounding of sums only", () => {
    const a = batchOracle([], [event(1, 0, 0.1), event(2, 1, 0.2), event(3, 2, 0.3)]);
    const b = batchOracle([], [event(3, 2, 0.3), event(2, 1, 0.2), event(1, 0, 0.1)]);
    const [x] = a.values();
    const [y] = b.values();
    if (!x || !y) throw new Error("no state");
    expect(stateDifferences(x.state, y.state)).toEqual([]);
  });
});

describe("stateDifferences with sums from before the value bounds", () => {
  it("a streamed sum of NaN (an overflow of +Infinity and -Infinity) differs from the recomputed one", () => {
    const state = (sum: number): AggregateState => ({
      count: 3,
      sum,
      min: 10,
      max: 10,
      quantiles: null,
      distinct: null,
    });
    expect(stateDifferences(state(NaN), state(10))).toEqual(["sum"]);
  });
});
