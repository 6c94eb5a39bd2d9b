import { describe, expect, it } from "vitest";
import type { LiveSnapshot, LiveUpdate, MetricBucket } from "../../server/contract";
import { applyUpdate, fromSnapshot, prune, slots, topGroups, type SeriesState } from "./live-series";

const T = Date.UTC(2026, 11, 1, 8, 0, 0);
const SUB = "api_requests|10s|";
const bucket = (
  offset: number,
  count: number,
  state: MetricBucket["state"] = "open",
  groupKey = "",
): MetricBucket => ({
  metric: "api_requests",
  resolution: "10s",
  bucketStart: T + offset,
  groupKey,
  state,
  summary: { count, sum: count, avg: 1, min: 1, max: 1, p50: 1, p90: 1, p95: 1, p99: 1, distinct: 0 },
});
const snapshot = (seq: number, buckets: MetricBucket[], watermark = T + 15_000): LiveSnapshot => ({
  subscription: SUB,
  metric: "api_requests",
  resolution: "10s",
  groupBy: null,
  seq,
  watermark,
  buckets,
  serverTime: T + 20_000,
});
const update = (seq: number, buckets: MetricBucket[], watermark = T + 15_000): LiveUpdate => ({
  subscription: SUB,
  seq,
  watermark,
  buckets,
});
const counts = (state: SeriesState) =>
  Object.values(state.buckets)
    .sort((a, b) => a.bucketStart - b.bucketStart)
    .map((b) => [b.bucketStart - T, b.summary.count]);

describe("client merge of snapshot and updates", () => {
  const base = snapshot(4, [bucket(0, 5, "final"), bucket(10_000, 2)]);

  it.each([
    [
      "an update that follows",
      [update(5, [bucket(10_000, 3)])],
      [
        [0, 5],
        [10_000, 3],
      ],
      5,
      false,
    ],
    [
      "a duplicate update",
      [update(5, [bucket(10_000, 3)]), update(5, [bucket(10_000, 9)])],
      [
        [0, 5],
        [10_000, 3],
      ],
      5,
      false,
    ],
    [
      "an update the snapshot already holds",
      [update(4, [bucket(10_000, 1)])],
      [
        [0, 5],
        [10_000, 2],
      ],
      4,
      false,
    ],
    [
      "out of order: an older update after a newer one",
      [update(6, [bucket(10_000, 4)]), update(5, [bucket(10_000, 3)])],
      [
        [0, 5],
        [10_000, 4],
      ],
      6,
      true,
    ],
    [
      "a skipped sequence (gap)",
      [update(7, [bucket(20_000, 1)])],
      [
        [0, 5],
        [10_000, 2],
        [20_000, 1],
      ],
      7,
      true,
    ],
  ])("%s", (_name, updates, expected, seq, gap) => {
    let state = fromSnapshot(base);
    let sawGap = false;
    for (const u of updates) {
      const result = applyUpdate(state, u);
      state = result.state;
      sawGap ||= result.gap;
    }
    expect(counts(state)).toEqual(expected);
    expect(state.seq).toBe(seq);
    expect(sawGap).toBe(gap);
  });

  it("keeps updates that arrived before the snapshot when they are newer than it", () => {
    const early = [update(6, [bucket(20_000, 1)]), update(3, [bucket(0, 1)]), update(5, [bucket(10_000, 7)])];
    const state = fromSnapshot(base, early);
    expect(counts(state)).toEqual([
      [0, 5],
      [10_000, 7],
      [20_000, 1],
    ]);
    expect(state.seq).toBe(6);
  });

  it("replaces a bucket that was revised by a late event and marks it", () => {
    const state = applyUpdate(fromSnapshot(base), update(5, [bucket(0, 6, "revised")])).state;
    expect(slots(state, T, T + 20_000).map((s) => [s.bucket?.summary.count ?? null, s.state])).toEqual([
      [6, "revised"],
      [2, "open"],
    ]);
  });

  it("reconciles a reconnect without holes or double points", () => {
    // Before the reconnect the client had an older bucket and a stale view of the newest.
    const before = fromSnapshot(
      snapshot(9, [bucket(-20 * 60_000, 4, "final"), bucket(0, 5, "final"), bucket(10_000, 2)]),
    );
    // The server restarted: sequences start again, and its snapshot holds the current truth.
    const after = fromSnapshot(
      snapshot(0, [bucket(0, 5, "final"), bucket(10_000, 3), bucket(20_000, 1)], T + 25_000),
      [],
      before,
    );
    expect(counts(after)).toEqual([
      [-20 * 60_000, 4],
      [0, 5],
      [10_000, 3],
      [20_000, 1],
    ]);
    expect(after.seq).toBe(0);
    expect(applyUpdate(after, update(1, [bucket(20_000, 2)], T + 25_000)).state.seq).toBe(1);
  });

  it("ignores updates of another subscription", () => {
    const state = fromSnapshot(base);
    expect(applyUpdate(state, { ...update(5, [bucket(0, 99)]), subscription: "other" }).state).toBe(state);
  });

  it("fills empty slots and turns open buckets final as the watermark passes", () => {
    const state = applyUpdate(fromSnapshot(base), update(5, [], T + 30_000)).state;
    expect(
      slots(state, T, T + 40_000).map((s) => [s.t - T, s.bucket?.summary.count ?? null, s.state]),
    ).toEqual([
      [0, 5, "final"],
      [10_000, 2, "final"],
      [20_000, null, "final"],
      [30_000, null, "open"],
    ]);
    expect(counts(prune(state, T + 10_000))).toEqual([[10_000, 2]]);
  });

  it("ranks groups by their count over a window", () => {
    const state = fromSnapshot(
      snapshot(1, [
        bucket(0, 3, "final", "/a"),
        bucket(0, 4, "final", "/b"),
        bucket(10_000, 2, "open", "/a"),
        bucket(0, 9),
      ]),
    );
    expect(topGroups(state, T, T + 20_000, 5)).toEqual([
      { group: "/a", count: 5 },
      { group: "/b", count: 4 },
    ]);
    expect(topGroups(state, T + 10_000, T + 20_000, 1)).toEqual([{ group: "/a", count: 2 }]);
    // Beyond the limit, the rest is one "(other)" row, so the list adds up to the total.
    expect(topGroups(state, T, T + 20_000, 1)).toEqual([
      { group: "/a", count: 5 },
      { group: "(other)", count: 4, other: true },
    ]);
  });

  it("counts the server's (other) buckets into the (other) row, never as a ranked group", () => {
    const state = fromSnapshot(
      snapshot(1, [
        bucket(0, 3, "final", "/a"),
        bucket(0, 50, "final", "(other)"),
        bucket(10_000, 7, "final", "(other)"),
      ]),
    );
    expect(topGroups(state, T, T + 20_000, 8)).toEqual([
      { group: "/a", count: 3 },
      { group: "(other)", count: 57, other: true },
    ]);
  });

  it("replaces every group of a bucket start an update names: a group that fell into (other) is gone", () => {
    const start = fromSnapshot(
      snapshot(1, [bucket(0, 5, "open", "/a"), bucket(0, 4, "open", "/b"), bucket(10_000, 1, "open", "/b")]),
    );
    const { state } = applyUpdate(start, {
      subscription: start.subscription,
      seq: 2,
      watermark: null,
      buckets: [bucket(0, 6, "open", "/a"), bucket(0, 9, "open", "/c"), bucket(0, 4, "open", "(other)")],
    });
    expect(Object.keys(state.buckets).sort()).toEqual(
      [`${T}|/a`, `${T}|/c`, `${T}|(other)`, `${T + 10_000}|/b`].sort(),
    );
    expect(topGroups(state, T, T + 10_000, 8).reduce((sum, g) => sum + g.count, 0)).toBe(19);
  });
});
