import { describe, expect, it } from "vitest";
import type { LiveBatch, MetricBucket, MetricDefinition } from "../contract";
import { LiveStore } from "../core/live-store";
import { countOnlySummary } from "../testing/summaries";
import { createLiveRooms } from "./live-rooms";

const T = Date.UTC(2026, 11, 1, 8);
const bucket = (groupKey: string, count: number, bucketStart = T): MetricBucket => ({
  metric: "api_requests",
  resolution: "10s",
  bucketStart,
  groupKey,
  state: "open",
  summary: countOnlySummary(count),
});
const batch = (batchSeq: number, buckets: MetricBucket[]): LiveBatch => ({
  consumer: "p",
  batchSeq,
  total: 0,
  tooLateTotal: 0,
  watermark: T,
  rates: [],
  buckets,
  committedAt: T,
});
const definitions = () => [{ name: "api_requests", groupBy: "route" }] as unknown as MetricDefinition[];
const GROUPED = { metric: "api_requests", resolution: "10s", groupBy: "route" } as const;

describe("createLiveRooms", () => {
  it("hands every subscriber of one subscription the same snapshot until the store changes", () => {
    const store = new LiveStore(2);
    store.seed({ consumers: {}, buckets: [bucket("", 3), bucket("/a", 2), bucket("/b", 1)] });
    const rooms = createLiveRooms(store, definitions);
    const first = rooms.snapshot(GROUPED);
    expect(rooms.snapshot(GROUPED)).toBe(first);
    store.apply(batch(1, [bucket("", 4), bucket("/b", 2)]));
    const second = rooms.snapshot(GROUPED);
    expect(second).not.toBe(first);
    expect(second.map((b) => [b.groupKey, b.summary.count])).toEqual([
      ["/a", 2],
      ["/b", 2],
    ]);
  });

  it("a change of the all-groups row reaches the grouped room too, whole per bucket start", () => {
    const store = new LiveStore(1);
    store.seed({ consumers: {}, buckets: [bucket("", 3), bucket("/a", 2), bucket("/b", 1)] });
    const rooms = createLiveRooms(store, definitions);
    // A group kept out of the top changes only the total, and so "(other)".
    const changed = [bucket("", 5), bucket("/c", 2)];
    store.apply(batch(1, changed));
    rooms.touch(changed);
    const updates = rooms.flush(new Set(["api_requests|10s|", "api_requests|10s|route"]));
    expect(updates.map((u) => [u.subscription, u.buckets.map((b) => [b.groupKey, b.summary.count])])).toEqual(
      [
        ["api_requests|10s|", [["", 5]]],
        [
          "api_requests|10s|route",
          [
            ["/a", 2],
            ["(other)", 3],
          ],
        ],
      ],
    );
  });
});
