import { countOnlySummary } from "../testing/summaries";
import { describe, expect, it } from "vitest";
import type { MetricBucket } from "../contract";
import { UpdateCoalescer } from "./update-coalescer";

const T = Date.UTC(2026, 11, 1, 8);
const bucket = (bucketStart: number, count: number, groupKey = ""): MetricBucket => ({
  metric: "m",
  resolution: "10s",
  bucketStart,
  groupKey,
  state: "open",
  summary: countOnlySummary(count),
});

describe("UpdateCoalescer", () => {
  it("sends each changed bucket once per interval, as it stands last, numbered per room", () => {
    const c = new UpdateCoalescer();
    c.add("a", bucket(T, 1));
    c.add("a", bucket(T + 10_000, 1));
    c.add("a", bucket(T, 2));
    c.add("b", bucket(T, 5));
    const first = c.flush(new Set(["a", "b"]), T);
    expect(first.map((u) => [u.subscription, u.seq, u.buckets.map((b) => b.summary.count)])).toEqual([
      ["a", 1, [2, 1]],
      ["b", 1, [5]],
    ]);
    c.add("a", bucket(T, 3));
    expect(c.flush(new Set(["a", "b"]), T).map((u) => [u.subscription, u.seq])).toEqual([["a", 2]]);
    expect(c.seq("a")).toBe(2);
    expect(c.seq("never")).toBe(0);
  });

  it("sends a watermark-only update when nothing else changed and drops rooms nobody is in", () => {
    const c = new UpdateCoalescer();
    c.add("gone", bucket(T, 1));
    expect(c.flush(new Set(["a"]), T)).toEqual([{ subscription: "a", seq: 1, watermark: T, buckets: [] }]);
    expect(c.flush(new Set(["a"]), T)).toEqual([]);
    expect(c.flush(new Set(["a", "gone"]), T + 1)).toHaveLength(2);
    expect(c.flush(new Set(["gone"]), T + 1)).toEqual([]);
  });
});
