// The features the store reads at decision time against a brute-force recomputation over the
// transactions decided before, for random sequences whose times sit on and around the window
// edges (exactly 1 min, 1 h, 24 h and 90 days apart, and a millisecond either side), decided in
// random groups of consecutive transactions (group commit: one transaction decides a group, the
// later members of a group must count the earlier ones).
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FRAUD_WINDOWS, type FraudFeatures, type FraudWindow } from "../contract/fraud";
import { DAY_MS, HISTORY_DAYS } from "../core/fraud/features";
import { createTestDatabase, type TestDatabase } from "../testing/harness";
import { createDbClients, type DbClients } from "./clients";
import { decideBatch } from "./fraud-decide";
import type { DecisionSubject } from "./fraud-store";
import { approvedItem } from "../testing/fraud-items";

let database: TestDatabase;
let db: DbClients;

beforeAll(async () => {
  database = await createTestDatabase("nowcast_tfraudf");
  db = createDbClients(database.url, { max: 4 });
  await db.pool.query(`INSERT INTO customers (id, segment, home_country) VALUES ('u0', 'retail', 'DE')`);
  await db.pool.query(`INSERT INTO merchants (id, category) VALUES ('m0', 'travel')`);
});
afterAll(async () => {
  await db?.close();
  await database?.drop();
});

const BASE = Date.UTC(2026, 10, 1, 0, 0, 0);
const EDGES = [0, 1, -1, 60_000, 3_600_000, 86_400_000, 90 * DAY_MS];
const step = fc.oneof(
  fc.constantFrom(...EDGES.filter((e) => e > 0)),
  fc.integer({ min: 0, max: 120_000 }),
  fc.constantFrom(...EDGES.map((e) => e + 1)),
);
const txArb = fc.record({
  back: fc.boolean(),
  step,
  card: fc.constantFrom("k0", "k1"),
  customer: fc.constantFrom("u0", "u1"),
  device: fc.constantFrom("d0", "d1", "d2", null),
  country: fc.constantFrom("DE", "FR", "US", null),
  merchant: fc.constantFrom("m0", "m1"),
  amount: fc.integer({ min: 0, max: 50_000 }).map((c) => c / 100),
});

type Tx = DecisionSubject;

/** Features of `tx` from `before` by definition, written independently of the SQL. */
function reference(tx: Tx, before: readonly Tx[]) {
  const out: Record<string, unknown> = {};
  const entities = { card: (p: Tx) => p.card === tx.card, customer: (p: Tx) => p.customer === tx.customer };
  const all = { ...entities, ...(tx.device ? { device: (p: Tx) => p.device === tx.device } : {}) };
  for (const [name, same] of Object.entries(all))
    for (const [w, ms] of Object.entries(FRAUD_WINDOWS) as [FraudWindow, number][]) {
      const inside = before.filter((p) => same(p) && p.ts > tx.ts - ms && p.ts <= tx.ts);
      out[`${name}_count_${w}`] = inside.length + 1;
      out[`${name}_amount_${w}`] = inside.reduce((s, p) => s + p.amount, tx.amount);
    }
  const day = before.filter((p) => p.card === tx.card && p.ts > tx.ts - 86_400_000 && p.ts <= tx.ts);
  out.card_countries_24h = new Set([...day.map((p) => p.country), tx.country].filter((c) => c !== null)).size;
  out.card_devices_24h = new Set([...day.map((p) => p.device), tx.device].filter((d) => d !== null)).size;
  out.new_device =
    tx.device === null ? null : !before.some((p) => p.customer === tx.customer && p.device === tx.device);
  const firstCountry = before
    .filter((p) => p.customer === tx.customer && p.country !== null)
    .sort((a, b) => a.ts - b.ts || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))[0]?.country;
  const home = tx.customer === "u0" ? "DE" : (firstCountry ?? null);
  out.home_country = home;
  out.country_mismatch = tx.country && home ? tx.country !== home : null;
  out.merchant_category = tx.merchant === "m0" ? "travel" : null;
  const dayOf = (ts: number) => Math.floor(ts / DAY_MS);
  const history = before
    .filter(
      (p) =>
        p.customer === tx.customer &&
        dayOf(p.ts) <= dayOf(tx.ts) &&
        dayOf(p.ts) > dayOf(tx.ts) - HISTORY_DAYS,
    )
    .map((p) => p.amount);
  out.history_count_90d = history.length;
  return { exact: out, history };
}

function checkHistory(features: FraudFeatures, history: number[]) {
  if (history.length === 0) {
    expect(features.amount_mean_90d).toBeNull();
    return;
  }
  const mean = history.reduce((s, a) => s + a, 0) / history.length;
  const sd = Math.sqrt(history.reduce((s, a) => s + (a - mean) ** 2, 0) / history.length);
  expect(features.amount_mean_90d).toBeCloseTo(mean, 6);
  expect(features.amount_sd_90d).toBeCloseTo(sd, 4);
  const sorted = [...history].sort((a, b) => a - b);
  const exact = sorted[Math.floor(0.95 * (sorted.length - 1))] ?? 0;
  // DDSketch: within 1 % relative (values below 1e-9 read 0).
  expect(Math.abs((features.amount_p95_90d ?? 0) - exact)).toBeLessThanOrEqual(exact * 0.01 + 1e-9);
}

describe("fraud features at decision time", () => {
  it("equal a brute-force recomputation over the earlier decisions, alone or in groups", async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(txArb, { minLength: 1, maxLength: 25 }),
        fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 25, maxLength: 25 }),
        async (specs, groupSizes) => {
          run += 1;
          await db.pool.query(`TRUNCATE fraud_decisions, fraud_customer_days CASCADE`);
          let ts = BASE;
          const txs: Tx[] = specs.map((s, i) => {
            ts = s.back ? ts - s.step : ts + s.step;
            return {
              id: `r${run}-${i}`,
              ts,
              card: s.card,
              customer: s.customer,
              device: s.device,
              country: s.country,
              merchant: s.merchant,
              amount: s.amount,
            };
          });
          const decided: Tx[] = [];
          for (let start = 0, g = 0; start < txs.length; g++) {
            const group = txs.slice(start, start + (groupSizes[g] ?? 1));
            start += group.length;
            const got = new Map<string, FraudFeatures>();
            const items = group.map((tx) =>
              approvedItem(tx, { decidedAt: BASE, onFeatures: (f) => got.set(tx.id, f) }),
            );
            const results = await decideBatch(db.pool, items);
            expect(results.map((r) => r.created)).toEqual(group.map(() => true));
            for (const tx of group) {
              const features = got.get(tx.id);
              if (!features) throw new Error(`decide was not called for ${tx.id}`);
              const { exact, history } = reference(tx, decided);
              for (const [name, value] of Object.entries(exact)) {
                const actual = features[name as keyof FraudFeatures];
                if (typeof value === "number") expect(actual, `${name} of ${tx.id}`).toBeCloseTo(value, 6);
                else expect(actual, `${name} of ${tx.id}`).toBe(value);
              }
              checkHistory(features, history);
              decided.push(tx);
            }
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it("answers a stored id and a repeat within a group with the first decision, counting each once", async () => {
    await db.pool.query(`TRUNCATE fraud_decisions, fraud_customer_days CASCADE`);
    const tx = (id: string, amount: number): Tx => ({
      id,
      ts: BASE + amount,
      card: "k9",
      customer: "u9",
      device: "d9",
      country: "DE",
      merchant: "m0",
      amount,
    });
    const seen: Array<[string, number]> = [];
    const item = (t: Tx) =>
      approvedItem(t, { decidedAt: BASE, onFeatures: (f) => seen.push([t.id, f.card_count_24h ?? -1]) });
    await decideBatch(db.pool, [item(tx("a", 1))]);
    const results = await decideBatch(db.pool, [
      item(tx("a", 5)),
      item(tx("b", 2)),
      item(tx("b", 7)),
      item(tx("c", 3)),
    ]);
    expect(results.map((r) => [r.decision.id, r.created])).toEqual([
      ["a", false],
      ["b", true],
      ["b", false],
      ["c", true],
    ]);
    // The repeat of b gets b's first decision (amount 2), and c counts a and b once each.
    expect(results[2]?.decision.features.amount).toBe(2);
    expect(seen).toEqual([
      ["a", 1],
      ["b", 2],
      ["c", 3],
    ]);
    const { rows } = await db.pool.query<{ n: number; count: string }>(
      `SELECT (SELECT count(*)::int FROM fraud_decisions) AS n,
              (SELECT count::text FROM fraud_customer_days WHERE customer_id = 'u9') AS count`,
    );
    expect(rows[0]).toEqual({ n: 3, count: "3" });
  });
});
