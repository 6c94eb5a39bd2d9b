import { describe, expect, it } from "vitest";
import type { LiveBatch, MetricBucket, Summary } from "../contract";
import fc from "fast-check";
import { OTHER_GROUP } from "../contract";
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
    // The all-groups count is 4, "/a" holds 2: the other 2 are shown as "(other)".
    expect(store.select("api_requests", "10s", true).map((b) => [b.groupKey, b.summary.count])).toEqual([
      ["/a", 2],
      ["(other)", 2],
    ]);
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

describe("LiveStore group cap", () => {
  it("keeps exactly the top N groups per bucket start and folds the rest into (other)", () => {
    const store = new LiveStore(3);
    store.seed({ consumers: { p: { batchSeq: 1, watermark: T, total: 0, tooLateTotal: 0 } }, buckets: [] });
    const counts: Record<string, number> = { a: 5, b: 1, c: 4, d: 2, e: 9 };
    const all = Object.values(counts).reduce((x, y) => x + y, 0);
    store.apply(batch(2, [bucket(T, all), ...Object.entries(counts).map(([g, n]) => bucket(T, n, g))]));
    expect(store.select("api_requests", "10s", true).map((b) => [b.groupKey, b.summary.count])).toEqual([
      ["e", 9],
      ["a", 5],
      ["c", 4],
      [OTHER_GROUP, 3],
    ]);
    // "b" grows past "c": it comes back with its full count and takes the place.
    store.apply(batch(3, [bucket(T, all + 5), bucket(T, 6, "b")]));
    expect(store.select("api_requests", "10s", true).map((b) => [b.groupKey, b.summary.count])).toEqual([
      ["e", 9],
      ["b", 6],
      ["a", 5],
      [OTHER_GROUP, 6],
    ]);
    const other = store.select("api_requests", "10s", true).at(-1);
    expect(other?.summary).toMatchObject({ count: 6, sum: 6, avg: 1, min: null, p95: null });
    expect(store.size).toBe(4);
  });

  it("a real group named (other) is part of the remainder, not a second (other)", () => {
    const store = new LiveStore(3);
    store.seed({
      consumers: { p: { batchSeq: 1, watermark: T, total: 0, tooLateTotal: 0 } },
      buckets: [bucket(T, 10), bucket(T, 7, OTHER_GROUP), bucket(T, 3, "/a")],
    });
    expect(store.select("api_requests", "10s", true).map((b) => [b.groupKey, b.summary.count])).toEqual([
      ["/a", 3],
      [OTHER_GROUP, 7],
    ]);
  });

  it("after any sequence of growing counts, holds the true top N of every bucket start (seeded)", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.integer({ min: 0, max: 1 }),
            fc.integer({ min: 0, max: 30 }),
            fc.integer({ min: 1, max: 5 }),
          ),
          {
            maxLength: 300,
          },
        ),
        (steps) => {
          const store = new LiveStore(4);
          store.seed({ consumers: {}, buckets: [] });
          const truth = new Map<string, number>();
          steps.forEach(([slot, group, add], i) => {
            const start = T + slot * 10_000;
            const key = `${start}|g${group}`;
            const count = (truth.get(key) ?? 0) + add;
            truth.set(key, count);
            const total = [...truth]
              .filter(([k]) => k.startsWith(`${start}|`))
              .reduce((s, [, n]) => s + n, 0);
            store.apply(batch(i + 1, [bucket(start, total), bucket(start, count, `g${group}`)]));
          });
          for (const slot of [0, 1]) {
            const start = T + slot * 10_000;
            const expected = [...truth]
              .filter(([k]) => k.startsWith(`${start}|`))
              .map(([, n]) => n)
              .sort((a, b) => b - a);
            const shown = store.select("api_requests", "10s", true, [start]);
            const named = shown.filter((b) => b.groupKey !== OTHER_GROUP).map((b) => b.summary.count);
            expect(named).toEqual(expected.slice(0, 4));
            const rest = expected.slice(4).reduce((s, n) => s + n, 0);
            expect(shown.find((b) => b.groupKey === OTHER_GROUP)?.summary.count ?? 0).toBe(rest);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
