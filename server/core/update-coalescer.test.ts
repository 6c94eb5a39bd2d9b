import { countOnlySummary } from "../testing/summaries";
import { describe, expect, it } from "vitest";
import type { MetricBucket } from "../contract";
import { UpdateCoalescer, type ReadRoom } from "./update-coalescer";

const T = Date.UTC(2026, 11, 1, 8);
const bucket = (bucketStart: number, count: number, groupKey = ""): MetricBucket => ({
  metric: "m",
  resolution: "10s",
  bucketStart,
  groupKey,
  state: "open",
  summary: countOnlySummary(count),
});

/** A twin of the store: the current buckets per room, read at flush time. */
function rooms(content: Record<string, MetricBucket[]>): { read: ReadRoom; asked: unknown[] } {
  const asked: unknown[] = [];
  return {
    asked,
    read: (room, starts) => {
      asked.push([room, starts]);
      return (content[room] ?? []).filter((b) => starts === null || starts.includes(b.bucketStart));
    },
  };
}

describe("UpdateCoalescer", () => {
  it("sends each changed bucket start once per interval, as it stands at push time, numbered per room", () => {
    const c = new UpdateCoalescer();
    c.add("a", T);
    c.add("a", T + 10_000);
    c.add("a", T);
    c.add("b", T);
    const now = rooms({
      a: [bucket(T, 2, "/x"), bucket(T, 1, "(other)"), bucket(T + 10_000, 1, "/x")],
      b: [bucket(T, 5)],
    });
    const first = c.flush(new Set(["a", "b"]), T, now.read);
    expect(first.map((u) => [u.subscription, u.seq, u.buckets.map((b) => b.summary.count)])).toEqual([
      ["a", 1, [2, 1, 1]],
      ["b", 1, [5]],
    ]);
    expect(now.asked).toEqual([
      ["a", [T, T + 10_000]],
      ["b", [T]],
    ]);
    c.add("a", T);
    expect(c.flush(new Set(["a", "b"]), T, now.read).map((u) => [u.subscription, u.seq])).toEqual([["a", 2]]);
    expect(c.seq("a")).toBe(2);
    expect(c.seq("never")).toBe(0);
  });

  it("reads a whole room after a re-seed", () => {
    const c = new UpdateCoalescer();
    c.add("a", T);
    c.addAll("a");
    c.add("a", T + 10_000);
    const now = rooms({ a: [bucket(T, 1), bucket(T + 10_000, 2)] });
    expect(c.flush(new Set(["a"]), T, now.read)[0]?.buckets).toHaveLength(2);
    expect(now.asked).toEqual([["a", null]]);
  });

  it("sends a watermark-only update when nothing else changed and drops rooms nobody is in", () => {
    const c = new UpdateCoalescer();
    const none = rooms({});
    c.add("gone", T);
    expect(c.flush(new Set(["a"]), T, none.read)).toEqual([
      { subscription: "a", seq: 1, watermark: T, buckets: [] },
    ]);
    expect(c.flush(new Set(["a"]), T, none.read)).toEqual([]);
    expect(c.flush(new Set(["a", "gone"]), T + 1, none.read)).toHaveLength(2);
    expect(c.flush(new Set(["gone"]), T + 1, none.read)).toEqual([]);
  });
});
