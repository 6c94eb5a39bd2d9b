import { describe, expect, it } from "vitest";
import type { LiveBatch, RatesSnapshot } from "../../server/contract";
import { applyBatches, countsByType, fromSnapshot, prune, rateSeries, totalEvents } from "./rates-model";

const T = Date.UTC(2026, 10, 25, 12);
const snapshot: RatesSnapshot = {
  rates: [
    { t: T, type: "page_view", count: 3 },
    { t: T + 1000, type: "api_request", count: 2 },
  ],
  consumers: { p: { batchSeq: 5, total: 105 } },
  serverTime: T + 2000,
};
const batch = (batchSeq: number, total: number, rates: LiveBatch["rates"]): LiveBatch => ({
  consumer: "p",
  batchSeq,
  total,
  tooLateTotal: 0,
  watermark: T,
  rates,
  buckets: [],
  committedAt: T,
});

describe("rates model", () => {
  it("starts from the snapshot", () => {
    const state = fromSnapshot(snapshot);
    expect(totalEvents(state)).toBe(105);
    expect(countsByType(state, T, T + 5000)).toEqual({ page_view: 3, api_request: 2 });
  });

  it("ignores batches the snapshot already holds and applies later ones once", () => {
    const early = batch(5, 105, [{ t: T, type: "page_view", count: 3 }]);
    const later = batch(6, 107, [{ t: T, type: "page_view", count: 2 }]);
    const state = applyBatches(fromSnapshot(snapshot), [later, early, later]);
    expect(totalEvents(state)).toBe(107);
    expect(countsByType(state, T, T + 1000)).toEqual({ page_view: 5 });
    expect(state.gap).toBe(false);
  });

  it("flags a skipped sequence as a gap", () => {
    const state = applyBatches(fromSnapshot(snapshot), [batch(8, 120, [])]);
    expect(state.gap).toBe(true);
    expect(totalEvents(state)).toBe(120);
  });

  it("adds a consumer seen for the first time", () => {
    const other: LiveBatch = { ...batch(1, 4, [{ t: T, type: "signup", count: 4 }]), consumer: "q" };
    expect(totalEvents(applyBatches(fromSnapshot(snapshot), [other]))).toBe(109);
  });

  it("returns the same object when nothing changes", () => {
    const state = fromSnapshot(snapshot);
    expect(applyBatches(state, [batch(4, 100, [])])).toBe(state);
  });

  it("builds a zero-filled per-second series and prunes old buckets", () => {
    const state = fromSnapshot(snapshot);
    expect(rateSeries(state, T, T + 3000)).toEqual({
      types: ["api_request", "page_view"],
      points: [
        { t: T, api_request: 0, page_view: 3 },
        { t: T + 1000, api_request: 2, page_view: 0 },
        { t: T + 2000, api_request: 0, page_view: 0 },
      ],
    });
    expect(countsByType(prune(state, T + 1000), 0, T + 9000)).toEqual({ api_request: 2 });
  });
});
