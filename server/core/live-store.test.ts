import { describe, expect, it } from "vitest";
import type { LiveBatch, MetricBucket, Summary } from "../contract";
import { LiveStore } from "./live-store";

const T = Date.UTC(2026, 11, 1, 8, 0, 0);
const summary = (count: number): Summary => ({
  count,
  sum: count,
  avg: 1,
  min: 1,
  max: 1,
  p50: 1,
  p90: 1,
  p95: 1,
  p99: 1,
  distinct: 0,
});
const bucket = (
  bucketStart: number,
  count: number,
  groupKey = "",
  resolution: "10s" | "1m" = "10s",
): MetricBucket => ({
  metric: "api_requests",
  resolution,
  bucketStart,
  groupKey,
  state: "open",
  summary: summary(count),
});
const batch = (batchSeq: number, buckets: MetricBucket[], watermark = T): LiveBatch => ({
  consumer: "p",
  batchSeq,
  total: batchSeq * 10,
  tooLateTotal: 0,
  watermark,
  rates: [],
  buckets,
  committedAt: T,
});

function seeded() {
  const store = new LiveStore();
  store.seed({
    consumers: { p: { batchSeq: 5, watermark: T, total: 50, tooLateTotal: 1 } },
    buckets: [bucket(T, 3), bucket(T, 2, "/a"), bucket(T - 10_000, 7)],
  });
  return store;
}

describe("LiveStore", () => {
  it("drops batches the seed already holds and replaces buckets with later ones", () => {
    const store = seeded();
    expect(store.apply(batch(5, [bucket(T, 99)]))).toEqual({ kind: "stale" });
    expect(store.apply(batch(6, [bucket(T, 4)])).kind).toBe("applied");
    expect(store.apply(batch(6, [bucket(T, 100)]))).toEqual({ kind: "stale" });
    expect(store.select("api_requests", "10s", false).map((b) => [b.bucketStart, b.summary.count])).toEqual([
      [T - 10_000, 7],
      [T, 4],
    ]);
    expect(store.select("api_requests", "10s", true).map((b) => b.groupKey)).toEqual(["/a"]);
    expect(store.totals()).toEqual({ stored: 60, tooLate: 0 });
  });

  it("reports a skipped batch sequence as a gap but still applies it", () => {
    const store = seeded();
    const outcome = store.apply(batch(8, [bucket(T, 9)]));
    expect(outcome.kind).toBe("gap");
    expect(store.select("api_requests", "10s", false).at(-1)?.summary.count).toBe(9);
  });

  it("turns open buckets final once the watermark passes their end", () => {
    const store = seeded();
    store.apply(batch(6, [], T + 10_000));
    expect(store.select("api_requests", "10s", false).map((b) => b.state)).toEqual(["final", "final"]);
  });

  it("uses the lowest watermark of several consumers and prunes old buckets", () => {
    const store = seeded();
    store.apply({ ...batch(1, [bucket(T - 20 * 60_000, 1)]), consumer: "q", watermark: T + 20 * 60_000 });
    expect(store.watermark()).toBe(T);
    // Horizon = watermark − 15 min − one bucket = T: only buckets before T go.
    store.apply(batch(6, [], T + 15 * 60_000 + 10_000));
    expect(store.prune()).toBe(2);
    expect(store.select("api_requests", "10s", false).map((b) => b.bucketStart)).toEqual([T]);
  });

  it("keeps 1 min buckets for three hours", () => {
    const store = seeded();
    store.apply(batch(6, [bucket(T - 170 * 60_000, 1, "", "1m")], T));
    expect(store.prune()).toBe(0);
    store.apply(batch(7, [], T + 20 * 60_000));
    store.prune();
    expect(store.select("api_requests", "1m", false)).toEqual([]);
  });
});
