import { describe, expect, it } from "vitest";
import {
  addToDay,
  computeFeatures,
  historyStartDay,
  type FeatureInputs,
  type ScoredTransaction,
} from "./features";

const tx: ScoredTransaction = {
  ts: Date.UTC(2026, 11, 2, 12),
  amount: 50,
  card: "k",
  customer: "c",
  device: "d",
  country: "FR",
};
const sums = (count: number, amount: number) => ({
  "1m": { count, amount },
  "1h": { count: count * 2, amount: amount * 2 },
  "24h": { count: count * 3, amount: amount * 3 },
});
const base: FeatureInputs = {
  velocity: { card: sums(2, 20), customer: sums(1, 10) },
  cardCountries24h: ["DE"],
  cardDevices24h: ["d"],
  deviceSeenBefore: false,
  homeCountry: "DE",
  merchantCategory: "travel",
  history: [],
};

describe("computeFeatures", () => {
  it("includes the transaction itself in velocity and distinct sets", () => {
    const f = computeFeatures(tx, base);
    expect(f).toMatchObject({
      card_count_1m: 3,
      card_amount_1m: 70,
      card_count_24h: 7,
      customer_count_1h: 3,
      device_count_1m: null,
      card_countries_24h: 2,
      card_devices_24h: 1,
      new_device: true,
      country_mismatch: true,
      merchant_category: "travel",
      history_count_90d: 0,
      amount_mean_90d: null,
      amount_z_90d: null,
    });
  });

  it("derives mean, deviation, p95, z and ratio from the stored days", () => {
    let day1 = addToDay(null, 10);
    day1 = addToDay(day1, 20);
    const day2 = addToDay(null, 30);
    const f = computeFeatures(tx, { ...base, history: [day1, day2] });
    const sd = Math.sqrt((100 + 400 + 900) / 3 - 20 * 20);
    expect(f.history_count_90d).toBe(3);
    expect(f.amount_mean_90d).toBeCloseTo(20, 9);
    expect(f.amount_sd_90d).toBeCloseTo(sd, 9);
    expect(f.amount_z_90d).toBeCloseTo((50 - 20) / sd, 9);
    // DDSketch's quantile is the value at rank ⌊q·(n − 1)⌋ = ⌊1.9⌋: 20, within 1 %.
    expect(Math.abs((f.amount_p95_90d ?? 0) - 20) / 20).toBeLessThanOrEqual(0.01);
    expect(f.amount_ratio_p95_90d).toBeCloseTo(50 / (f.amount_p95_90d ?? 1), 9);
  });

  it("has no device features without a device", () => {
    const f = computeFeatures({ ...tx, device: null, country: null }, { ...base, deviceSeenBefore: null });
    expect(f).toMatchObject({ new_device: null, country_mismatch: null, card_devices_24h: 1 });
  });

  it("starts the history 89 days before the transaction's UTC day", () => {
    expect(historyStartDay(tx.ts)).toBe(Date.UTC(2026, 8, 4));
  });
});
