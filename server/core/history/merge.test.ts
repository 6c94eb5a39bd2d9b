import { describe, expect, it } from "vitest";
import { addValue, emptyState, finishAccumulator, serializeState, summarize } from "../aggregate-state";
import { seededRandom } from "../../testing/seeded-random";
import { bucketIndex, mergeRows, pointState, topGroups, type StoredRow } from "./merge";

const MIN = 60_000;

function row(bucketStart: number, groupKey: string, values: number[], revisions = 0): StoredRow {
  const state = emptyState();
  values.forEach((v, i) => addValue(state, v, `u${v}-${i % 3}`));
  return { bucketStart, groupKey, state: serializeState(state), revisions };
}

describe("bucketIndex", () => {
  it.each([
    [-1, -1],
    [0, 0],
    [59_999, 0],
    [60_000, 1],
    [179_999, 2],
    [180_000, -1],
  ])("%d → %d", (ts, index) => {
    expect(bucketIndex([0, 60_000, 120_000, 180_000], ts)).toBe(index);
  });
});

describe("mergeRows", () => {
  it("merges rows of several tiers into their bucket with exact count/sum/min/max and sketch percentiles", () => {
    const random = seededRandom(7);
    const values = Array.from({ length: 5000 }, () => Math.exp(random.next() * 6));
    const rows = [0, 1, 2, 3, 4].map((i) => row(i * MIN, "", values.slice(i * 1000, (i + 1) * 1000)));
    const merged = mergeRows([0, 5 * MIN], rows).get("")?.[0];
    const summary = summarize(merged ? finishAccumulator(merged.merged) : emptyState());
    const sorted = [...values].sort((a, b) => a - b);
    expect(summary.count).toBe(5000);
    expect(summary.sum).toBeCloseTo(
      values.reduce((a, b) => a + b, 0),
      6,
    );
    expect(summary.min).toBe(sorted[0]);
    expect(summary.max).toBe(sorted[4999]);
    for (const [q, p] of [
      [0.5, summary.p50],
      [0.95, summary.p95],
      [0.99, summary.p99],
    ] as const) {
      const exact = sorted[Math.floor(q * 4999)] ?? 0;
      expect(Math.abs((p ?? 0) - exact) / exact).toBeLessThanOrEqual(0.01);
    }
  });

  it("marks a bucket revised when any of its rows was revised", () => {
    const merged = mergeRows([0, MIN, 2 * MIN], [row(0, "", [1]), row(MIN, "", [2], 1)]).get("");
    expect(merged?.map((b) => b.revised)).toEqual([false, true]);
  });
});

describe("topGroups", () => {
  it("keeps the N largest groups and merges the rest into (other) bucket by bucket", () => {
    const rows = [
      row(0, "a", [1, 2, 3]),
      row(MIN, "a", [4]),
      row(0, "b", [10, 20]),
      row(0, "c", [100]),
      row(MIN, "d", [1000, 2000]),
    ];
    const { order, groups } = topGroups(mergeRows([0, MIN, 2 * MIN], rows), 2);
    expect(order).toEqual(["a", "b", "(other)"]); // d ties b on count 2; b wins by name
    const other = groups.get("(other)") ?? [];
    expect(other.map((b) => summarize(finishAccumulator(b.merged)).count)).toEqual([1, 2]);
    expect(other.map((b) => summarize(finishAccumulator(b.merged)).max)).toEqual([100, 2000]);
  });

  it("adds no (other) when every group fits", () => {
    expect(topGroups(mergeRows([0, MIN], [row(0, "a", [1])]), 5).order).toEqual(["a"]);
  });
});

describe("pointState", () => {
  it.each([
    [100, null, false, "open"],
    [100, 99, false, "open"],
    [100, 100, false, "final"],
    [100, 200, true, "revised"],
  ] as const)("end %d, watermark %s, revised %s → %s", (end, watermark, revised, state) => {
    expect(pointState(end, watermark, revised)).toBe(state);
  });
});

describe("accumulateSerialized (fast path of mergeRows)", () => {
  it("gives the same state as deserializing and merging, including negative and zero values", async () => {
    const { deserializeState, mergeStates, accumulateSerialized, emptyAccumulator, finishAccumulator } =
      await import("../aggregate-state");
    const random = seededRandom(99);
    const parts = [0, 1, 2].map(() => {
      const state = emptyState();
      for (let i = 0; i < 300; i++)
        addValue(state, random.chance(0.1) ? 0 : (random.next() - 0.3) * 1000, `k${random.int(1, 500)}`);
      return state;
    });
    const slow = parts.map((p) => deserializeState(serializeState(p))).reduce(mergeStates);
    const accumulator = emptyAccumulator();
    for (const p of parts) accumulateSerialized(accumulator, serializeState(p));
    const fast = finishAccumulator(accumulator);
    expect(summarize(fast)).toEqual(summarize(slow));
    expect(fast.quantiles?.count).toBe(900);
  });
});

describe("summarizeAccumulator", () => {
  it.each([1, 2, 3, 4])(
    "equals summarize of the built sketch (seed %i, mixed signs, zeros)",
    async (seed) => {
      const { accumulateSerialized, emptyAccumulator, summarizeAccumulator } =
        await import("../aggregate-state");
      const random = seededRandom(seed);
      const accumulator = emptyAccumulator();
      for (let part = 0; part < 4; part++) {
        const state = emptyState();
        const n = random.int(1, 400);
        for (let i = 0; i < n; i++)
          addValue(state, random.chance(0.05) ? 0 : (random.next() - 0.2) * 10 ** random.int(0, 4));
        accumulateSerialized(accumulator, serializeState(state));
      }
      expect(summarizeAccumulator(accumulator)).toEqual(summarize(finishAccumulator(accumulator)));
    },
  );
});
