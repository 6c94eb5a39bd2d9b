import {
  FRAUD_ENTITIES,
  FRAUD_WINDOW_NAMES,
  FRAUD_WINDOWS,
  type FraudEntity,
  type FraudFeatures,
  type FraudWindow,
  type NumericFeature,
} from "../../contract/fraud";
import {
  accumulateSerialized,
  addValue,
  deserializeState,
  emptyAccumulator,
  emptyState,
  mergeInto,
  serializeState,
  summarizeAccumulator,
  type SerializedState,
} from "../aggregate-state";

export const DAY_MS = 86_400_000;
/** The customer's amount history: the UTC days up to and including the transaction's own. */
export const HISTORY_DAYS = 90;

/** The transaction being decided, as the features need it. */
export interface ScoredTransaction {
  ts: number;
  amount: number;
  card: string;
  customer: string;
  device: string | null;
  country: string | null;
}

/** Sums over earlier transactions of one entity in one window (the current one not included). */
export interface WindowSums {
  count: number;
  amount: number;
}

/** One UTC day of a customer's amounts: the stored rollup (sketch state) and the sum of squares. */
export interface CustomerDay {
  state: SerializedState;
  sumSquares: number;
}

/** What the store read for one decision, all of it before this transaction. */
export interface FeatureInputs {
  /** Per entity and window; a device entry is absent when the transaction has no device. */
  velocity: Partial<Record<FraudEntity, Record<FraudWindow, WindowSums>>>;
  /** Distinct countries and devices of the card's earlier transactions in the last 24 h. */
  cardCountries24h: readonly string[];
  cardDevices24h: readonly string[];
  /** Whether this customer used this device before; null without a device. */
  deviceSeenBefore: boolean | null;
  homeCountry: string | null;
  merchantCategory: string | null;
  history: readonly CustomerDay[];
}

/** The `(ts − window, ts]` bounds every velocity feature uses, by window. */
export const windowStart = (ts: number, window: FraudWindow) => ts - FRAUD_WINDOWS[window];

/** Start (epoch ms) of the UTC day of `ts`. */
export const dayStart = (ts: number) => Math.floor(ts / DAY_MS) * DAY_MS;

/** First UTC day (epoch ms) of the history for a transaction at `ts`. */
export const historyStartDay = (ts: number) => dayStart(ts) - (HISTORY_DAYS - 1) * DAY_MS;

function historyFeatures(amount: number, days: readonly CustomerDay[]) {
  const acc = emptyAccumulator();
  let squares = 0;
  for (const day of days) {
    accumulateSerialized(acc, day.state);
    squares += day.sumSquares;
  }
  const summary = summarizeAccumulator(acc);
  const count = summary.count;
  const mean = count > 0 ? summary.sum / count : null;
  // Population deviation from the stored sums; rounding can make the variance a hair below 0.
  const sd = mean !== null ? Math.sqrt(Math.max(0, squares / count - mean * mean)) : null;
  const p95 = count > 0 ? summary.p95 : null;
  return {
    history_count_90d: count,
    amount_mean_90d: mean,
    amount_sd_90d: sd,
    amount_p95_90d: p95,
    amount_z_90d: mean !== null && sd !== null && count >= 2 && sd > 0 ? (amount - mean) / sd : null,
    amount_ratio_p95_90d: p95 !== null && p95 > 0 ? amount / p95 : null,
  };
}

/**
 * The features of one transaction from what was stored before it: velocity windows and the
 * distinct sets include the transaction itself; the 90-day history does not.
 */
export function computeFeatures(tx: ScoredTransaction, inputs: FeatureInputs): FraudFeatures {
  const velocity = {} as Record<NumericFeature, number | null>;
  for (const entity of FRAUD_ENTITIES) {
    for (const window of FRAUD_WINDOW_NAMES) {
      const sums = inputs.velocity[entity]?.[window];
      velocity[`${entity}_count_${window}` as NumericFeature] = sums ? sums.count + 1 : null;
      velocity[`${entity}_amount_${window}` as NumericFeature] = sums ? sums.amount + tx.amount : null;
    }
  }
  const countries = new Set(inputs.cardCountries24h);
  if (tx.country) countries.add(tx.country);
  const devices = new Set(inputs.cardDevices24h);
  if (tx.device) devices.add(tx.device);
  return {
    ...velocity,
    amount: tx.amount,
    card_countries_24h: countries.size,
    card_devices_24h: devices.size,
    ...historyFeatures(tx.amount, inputs.history),
    new_device: inputs.deviceSeenBefore === null ? null : !inputs.deviceSeenBefore,
    country_mismatch: tx.country && inputs.homeCountry ? tx.country !== inputs.homeCountry : null,
    merchant_category: inputs.merchantCategory,
    country: tx.country,
    home_country: inputs.homeCountry,
  } as FraudFeatures;
}

/** A customer's day after one more amount: what the store writes back under the customer's lock. */
export function addToDay(day: CustomerDay | null, amount: number): CustomerDay {
  const state = emptyState();
  if (day) mergeInto(state, deserializeState(day.state));
  addValue(state, amount);
  return { state: serializeState(state), sumSquares: (day?.sumSquares ?? 0) + amount * amount };
}
