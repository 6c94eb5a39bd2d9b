import { describe, expect, it } from "vitest";
import { compareCodePoints, foldBatch, type BatchTransaction, type StoredView } from "./batch";

const EMPTY = { count: 0, amount: 0 };
const view = (over: Partial<StoredView> = {}): StoredView => ({
  known: false,
  velocity: {
    card: { "1m": EMPTY, "1h": EMPTY, "24h": EMPTY },
    customer: { "1m": EMPTY, "1h": EMPTY, "24h": EMPTY },
  },
  cardCountries24h: [],
  cardDevices24h: [],
  deviceSeenBefore: null,
  enrichedHome: null,
  firstCountry: null,
  merchantCategory: null,
  days: [],
  ...over,
});
const T0 = Date.UTC(2026, 11, 2, 12);
const tx = (id: string, ts: number, over: Partial<BatchTransaction> = {}): BatchTransaction => ({
  id,
  ts,
  amount: 10,
  card: "c",
  customer: "u",
  device: null,
  country: "FR",
  ...over,
});

describe("foldBatch", () => {
  it("counts earlier members inside (ts − W, ts] only, and not stored or repeated ids", () => {
    const members = [
      tx("a", T0 - 60_000),
      tx("b", T0 - 59_999, { amount: 5 }),
      tx("b", T0, { amount: 99 }),
      tx("known", T0 - 1),
      tx("c", T0),
    ];
    const { members: folded, days } = foldBatch(
      members,
      members.map((m) => view({ known: m.id === "known" })),
    );
    expect(folded.map((m) => m.kind)).toEqual(["decide", "decide", "duplicate", "known", "decide"]);
    const c = folded[4];
    if (c?.kind !== "decide") throw new Error("c is decided");
    // a sits exactly one minute back: outside 1m, inside 1h; b (5) inside both.
    expect(c.inputs.velocity.card?.["1m"]).toEqual({ count: 1, amount: 5 });
    expect(c.inputs.velocity.card?.["1h"]).toEqual({ count: 2, amount: 15 });
    // One day written for the customer, holding a, b and c once each.
    expect(days).toHaveLength(1);
    expect(days[0]?.state.state.count).toBe(3);
    expect(days[0]?.state.sumSquares).toBe(100 + 25 + 100);
  });

  it("takes the first country by time, then id, among stored and earlier members", () => {
    const members = [tx("z", T0 - 5, { country: "US" }), tx("y", T0 - 5, { country: "DE" }), tx("x", T0)];
    const stored = { ts: T0 - 5, id: "yy", country: "IT" };
    const { members: folded } = foldBatch(
      members,
      members.map(() => view({ firstCountry: stored })),
    );
    const x = folded[2];
    if (x?.kind !== "decide") throw new Error("x is decided");
    expect(x.inputs.homeCountry).toBe("DE");
  });
});

describe("compareCodePoints", () => {
  it("orders by code point, as PostgreSQL's C collation does (not by UTF-16 unit)", () => {
    expect(compareCodePoints("\uFFFF", "\u{10000}")).toBeLessThan(0);
    expect("\uFFFF" < "\u{10000}").toBe(false);
    expect(compareCodePoints("a", "ab")).toBeLessThan(0);
    expect(compareCodePoints("b", "a")).toBeGreaterThan(0);
    expect(compareCodePoints("x", "x")).toBe(0);
  });
});
