import { FRAUD_ENTITIES, FRAUD_WINDOW_NAMES, type FraudEntity, type FraudWindow } from "../../contract/fraud";
import {
  DAY_MS,
  addToDay,
  dayStart,
  historyStartDay,
  windowStart,
  type CustomerDay,
  type FeatureInputs,
  type ScoredTransaction,
  type WindowSums,
} from "./features";

/** One transaction of a decision batch, in the order the batch decides them. */
export interface BatchTransaction extends ScoredTransaction {
  id: string;
}

/** A customer's earliest transaction with a country, by (event time, id). */
export interface FirstCountry {
  ts: number;
  id: string;
  country: string;
}

/**
 * What the store read for one member of a batch: only what committed before the batch began
 * (one statement for all members), so none of the batch's own transactions are in it.
 */
export interface StoredView {
  /** The id is already decided: the stored decision is the answer. */
  known: boolean;
  velocity: FeatureInputs["velocity"];
  cardCountries24h: readonly string[];
  cardDevices24h: readonly string[];
  deviceSeenBefore: boolean | null;
  /** The enrichment table's home country of the customer. */
  enrichedHome: string | null;
  firstCountry: FirstCountry | null;
  merchantCategory: string | null;
  /** The customer's stored days in the member's history range, by the day's first epoch ms. */
  days: ReadonlyArray<{ day: number; state: CustomerDay }>;
}

export type FoldedMember =
  | { kind: "decide"; inputs: FeatureInputs }
  /** Decided before the batch: answer the stored decision. */
  | { kind: "known" }
  /** The same id earlier in the batch: shares that member's result. */
  | { kind: "duplicate"; of: number };

/** A customer day as it stands after the batch: what the store writes back. */
export interface DayWrite {
  customer: string;
  day: number;
  state: CustomerDay;
}

export interface FoldedBatch {
  members: FoldedMember[];
  days: DayWrite[];
}

/** Order of PostgreSQL's "C" collation (code points), which the store's tie-break uses. */
export function compareCodePoints(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = (x[i]?.codePointAt(0) ?? 0) - (y[i]?.codePointAt(0) ?? 0);
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

const earlier = (a: FirstCountry, b: FirstCountry) =>
  a.ts < b.ts || (a.ts === b.ts && compareCodePoints(a.id, b.id) < 0);

const entityOf = (tx: ScoredTransaction, entity: FraudEntity): string | null =>
  entity === "card" ? tx.card : entity === "customer" ? tx.customer : tx.device;

/**
 * The feature inputs of every member of a batch decided in one transaction, exactly as if the
 * members had been decided one after another in batch order: each member's stored view plus
 * the batch members before it (velocity by event-time window, the card's countries and devices,
 * the customer's devices and first country, the customer's days). Members already decided, and
 * repeats of an id earlier in the batch, decide nothing and add nothing.
 */
export function foldBatch(members: readonly BatchTransaction[], views: readonly StoredView[]): FoldedBatch {
  if (members.length !== views.length) throw new Error("one stored view per batch member");
  const days = new Map<string, { customer: string; day: number; state: CustomerDay; touched: boolean }>();
  const dayKey = (customer: string, day: number) => `${customer}\u0000${day}`;
  for (const [i, view] of views.entries())
    for (const d of view.days) {
      const customer = members[i]?.customer ?? "";
      days.set(dayKey(customer, d.day), { customer, day: d.day, state: d.state, touched: false });
    }
  const firstIndex = new Map<string, number>();
  const decided: BatchTransaction[] = [];
  const out: FoldedMember[] = [];
  for (const [i, tx] of members.entries()) {
    const view = views[i] as StoredView;
    const first = firstIndex.get(tx.id);
    if (first !== undefined) {
      out.push({ kind: "duplicate", of: first });
      continue;
    }
    firstIndex.set(tx.id, i);
    if (view.known) {
      out.push({ kind: "known" });
      continue;
    }
    out.push({ kind: "decide", inputs: inputsWithEarlier(tx, view, decided, days, dayKey) });
    decided.push(tx);
    const key = dayKey(tx.customer, dayStart(tx.ts));
    const current = days.get(key);
    days.set(key, {
      customer: tx.customer,
      day: dayStart(tx.ts),
      state: addToDay(current?.state ?? null, tx.amount),
      touched: true,
    });
  }
  return {
    members: out,
    days: [...days.values()]
      .filter((d) => d.touched)
      .map(({ customer, day, state }) => ({ customer, day, state })),
  };
}

function inputsWithEarlier(
  tx: BatchTransaction,
  view: StoredView,
  before: readonly BatchTransaction[],
  days: ReadonlyMap<string, { state: CustomerDay }>,
  dayKey: (customer: string, day: number) => string,
): FeatureInputs {
  const velocity: FeatureInputs["velocity"] = {};
  for (const entity of FRAUD_ENTITIES) {
    const stored = view.velocity[entity];
    const own = entityOf(tx, entity);
    if (!stored || own === null) continue;
    const sums = {} as Record<FraudWindow, WindowSums>;
    for (const w of FRAUD_WINDOW_NAMES) {
      let { count, amount } = stored[w];
      for (const p of before)
        if (entityOf(p, entity) === own && p.ts > windowStart(tx.ts, w) && p.ts <= tx.ts) {
          count += 1;
          amount += p.amount;
        }
      sums[w] = { count, amount };
    }
    velocity[entity] = sums;
  }
  const countries = new Set(view.cardCountries24h);
  const devices = new Set(view.cardDevices24h);
  let seen = view.deviceSeenBefore;
  let first = view.firstCountry;
  for (const p of before) {
    if (p.card === tx.card && p.ts > windowStart(tx.ts, "24h") && p.ts <= tx.ts) {
      if (p.country !== null) countries.add(p.country);
      if (p.device !== null) devices.add(p.device);
    }
    if (p.customer !== tx.customer) continue;
    if (tx.device !== null && p.device === tx.device) seen = true;
    if (p.country !== null) {
      const candidate = { ts: p.ts, id: p.id, country: p.country };
      if (!first || earlier(candidate, first)) first = candidate;
    }
  }
  const history: CustomerDay[] = [];
  for (let day = historyStartDay(tx.ts); day <= dayStart(tx.ts); day += DAY_MS) {
    const stored = days.get(dayKey(tx.customer, day));
    if (stored) history.push(stored.state);
  }
  return {
    velocity,
    cardCountries24h: [...countries],
    cardDevices24h: [...devices],
    deviceSeenBefore: tx.device === null ? null : seen,
    homeCountry: view.enrichedHome ?? first?.country ?? null,
    merchantCategory: view.merchantCategory,
    history,
  };
}
