import { describe, expect, it } from "vitest";
import { addValue, emptyState, summarize } from "./aggregate-state";
import type { MetricDelta } from "./engine";
import { LiveWindows } from "./live-windows";

const T0 = Date.UTC(2026, 10, 25, 12);
const delta = (bucketStart: number, values: number[], groupKey = ""): MetricDelta => {
  const state = emptyState();
  for (const v of values) addValue(state, v);
  return { metric: "m", bucketStart, groupKey, state, revised: false };
};
const options = { bucketMs: 10_000, retentionMs: 60_000, maxStates: 100 };

describe("LiveWindows", () => {
  it("does not call a bucket revised when the same batch moved the watermark past it", () => {
    const windows = new LiveWindows(options);
    windows.apply([delta(T0, [1])], T0 + 5_000);
    // This batch holds more events of the bucket and one that moves the watermark past it.
    const [first] = windows.apply([delta(T0, [2]), delta(T0 + 10_000, [3])], T0 + 15_000, T0 + 5_000);
    expect([first?.status, first?.state.count]).toEqual(["final", 2]);
    // A change after viewers saw it final is a revision.
    const [later] = windows.apply([delta(T0, [4])], T0 + 15_000, T0 + 15_000);
    expect(later?.status).toBe("revised");
  });

  it("merges deltas per bucket and reports open, final and revised", () => {
    const windows = new LiveWindows(options);
    expect(windows.apply([delta(T0, [1, 2])], T0 + 5_000).map((b) => [b.status, b.state.count])).toEqual([
      ["open", 2],
    ]);
    // The watermark passed the bucket's end: a later update revises it.
    const [revised] = windows.apply([delta(T0, [3])], T0 + 12_000);
    expect(revised?.status).toBe("revised");
    expect(summarize(revised?.state ?? emptyState())).toMatchObject({ count: 3, sum: 6, max: 3 });
    windows.apply([delta(T0 + 10_000, [5])], T0 + 19_000);
    expect(windows.buckets("m", T0, T0 + 21_000).map((b) => [b.bucketStart - T0, b.status])).toEqual([
      [0, "revised"],
      [10_000, "final"],
    ]);
  });

  it("drops buckets older than the retention behind the watermark", () => {
    const windows = new LiveWindows(options);
    windows.apply([delta(T0, [1]), delta(T0 + 50_000, [1])], T0 + 55_000);
    expect(windows.size).toBe(2);
    windows.apply([delta(T0 + 80_000, [1])], T0 + 85_000);
    expect(windows.buckets("m", 0, T0 + 85_000).map((b) => b.bucketStart - T0)).toEqual([50_000, 80_000]);
  });

  it("never holds more than maxStates, evicting the oldest first and counting it", () => {
    const windows = new LiveWindows({ ...options, maxStates: 10 });
    const deltas = Array.from({ length: 25 }, (_, i) => delta(T0 + (i % 5) * 10_000, [i], `g${i}`));
    windows.apply(deltas, T0);
    expect(windows.size).toBe(10);
    expect(windows.evictedForCapacity).toBe(15);
    expect(Math.min(...windows.buckets("m", 0, T0).map((b) => b.bucketStart))).toBe(T0 + 30_000);
  });
});
