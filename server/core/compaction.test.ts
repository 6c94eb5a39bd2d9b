import { describe, expect, it } from "vitest";
import { addValue, emptyState, summarize, type AggregateState } from "./aggregate-state";
import { compactStates, type RollupState } from "./compaction";
import { seededRandom } from "../testing/seeded-random";

function stateOf(values: number[], users: string[] = []): AggregateState {
  const state = emptyState();
  values.forEach((v, i) => addValue(state, v, users[i]));
  return state;
}

describe("compactStates", () => {
  it("merges rows per metric and group into the state of the union", () => {
    const rows: RollupState[] = [
      { metric: "lat", groupKey: "", state: stateOf([1, 2, 3], ["a", "b", "c"]), revisions: 1 },
      { metric: "lat", groupKey: "", state: stateOf([10, 20], ["a", "d"]), revisions: 0 },
      { metric: "lat", groupKey: "/x", state: stateOf([5]), revisions: 2 },
      { metric: "cnt", groupKey: "", state: { ...emptyState(), count: 7 }, revisions: 0 },
    ];
    const compacted = compactStates(rows);
    expect(compacted.map((r) => [r.metric, r.groupKey, r.state.count, r.revisions])).toEqual([
      ["cnt", "", 7, 0],
      ["lat", "", 5, 1],
      ["lat", "/x", 1, 2],
    ]);
    const all = summarize(compacted[1]?.state ?? emptyState());
    expect(all).toMatchObject({ count: 5, sum: 36, min: 1, max: 20, distinct: 4 });
  });

  it("equals one state fed every value (percentiles from the merged sketch, not averaged)", () => {
    const random = seededRandom(42);
    const minutes = Array.from({ length: 60 }, () =>
      Array.from({ length: 50 }, () => Math.round(random.next() * random.next() * 5000 * 100) / 100),
    );
    const compacted = compactStates(
      minutes.map((values) => ({ metric: "lat", groupKey: "", state: stateOf(values), revisions: 0 })),
    );
    const direct = summarize(stateOf(minutes.flat()));
    const merged = summarize(compacted[0]?.state ?? emptyState());
    expect(merged.count).toBe(direct.count);
    expect(merged.min).toBe(direct.min);
    expect(merged.max).toBe(direct.max);
    expect(merged.sum).toBeCloseTo(direct.sum, 6);
    for (const q of ["p50", "p90", "p95", "p99"] as const) expect(merged[q]).toBe(direct[q]);
  });

  it("is deterministic and empty for no rows", () => {
    expect(compactStates([])).toEqual([]);
  });
});
