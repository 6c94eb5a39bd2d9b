/**
 * Card transactions with fraud mixed in, each labelled with its ground truth, which the tests
 * and the bench know but Nowcast does not: card testing (bursts of small amounts on one card),
 * account takeover (a new device, a foreign country, a large amount) and velocity spikes (many
 * transactions of one customer within minutes). Pure and seeded.
 */
import { demoCustomerRows, DEMO_MERCHANTS } from "./dimensions";
import { createRandom, type SimEvent } from "./generate";

export const FRAUD_PATTERNS = ["card_testing", "account_takeover", "velocity_spike"] as const;
export type FraudPattern = (typeof FRAUD_PATTERNS)[number];

export interface LabelledTransaction {
  event: SimEvent;
  /** Ground truth: the pattern this transaction belongs to, or null for legitimate traffic. */
  truth: FraudPattern | null;
  /** The pattern instance (one burst, one takeover); null for legitimate traffic. */
  incident: string | null;
}

interface Customer {
  id: string;
  home: string;
  cards: string[];
  devices: string[];
  /** Median amount: each customer spends in their own range. */
  median: number;
}

type Random = () => number;
const COUNTRIES = ["US", "DE", "GB", "FR", "IN", "BR", "JP", "CA", "NL", "ES"];
const CURRENCIES = ["USD", "EUR", "GBP"];
const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
const logNormal = (random: Random, median: number, sigma: number) => {
  const u = Math.max(random(), 1e-12);
  const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  return median * Math.exp(sigma * z);
};
const cents = (v: number) => Math.max(0.01, Math.round(v * 100) / 100);

export interface FraudTrafficOptions {
  customers: number;
  /** Chance per transaction that an incident of each pattern starts. */
  incidentRate: number;
  /** Chance that a legitimate transaction is made abroad, and on a new device. */
  travel: number;
  newDevice: number;
}

export const DEFAULT_FRAUD_TRAFFIC: FraudTrafficOptions = {
  customers: 2000,
  incidentRate: 0.002,
  travel: 0.03,
  newDevice: 0.02,
};

/**
 * The simulated customers: the first 2000 with the home countries seeded into `customers`
 * (dimensions.ts), the rest with one of their own that only their history shows.
 */
export function simulatedCustomers(count: number, seed = 42): Customer[] {
  const rows = demoCustomerRows();
  const random = createRandom(seed + 1);
  return Array.from({ length: count }, (_, i) => `c${i}`).map((id, i) => ({
    id,
    home: rows.countries[i] ?? pick(random, COUNTRIES),
    cards: Array.from({ length: 1 + Math.floor(random() * 2) }, (_, k) => `${id}-card${k}`),
    devices: Array.from({ length: 1 + Math.floor(random() * 2) }, (_, k) => `${id}-dev${k}`),
    median: Math.round(15 + random() * 120),
  }));
}

export class FraudTrafficGenerator {
  private readonly random: Random;
  private readonly customers: Customer[];
  private readonly pending: LabelledTransaction[] = [];
  private seq = 0;
  private incidents = 0;

  constructor(
    seed: number,
    private readonly runId: string,
    private readonly options: FraudTrafficOptions = DEFAULT_FRAUD_TRAFFIC,
  ) {
    this.random = createRandom(seed);
    this.customers = simulatedCustomers(options.customers, seed);
  }

  /** The next transaction to send at `now`: a due incident event first, else new traffic. */
  next(now: number): LabelledTransaction {
    const dueAt = this.pending.findIndex((p) => p.event.ts <= now);
    if (dueAt >= 0) return this.pending.splice(dueAt, 1)[0] as LabelledTransaction;
    const roll = this.random();
    const rate = this.options.incidentRate;
    if (roll < rate) return this.schedule(this.cardTesting(now));
    if (roll < 2 * rate) return this.schedule([this.takeover(now)]);
    if (roll < 3 * rate) return this.schedule(this.velocitySpike(now));
    return this.legitimate(now);
  }

  /** A legitimate transaction of a random customer at `ts` (also used to build history). */
  legitimate(ts: number): LabelledTransaction {
    const r = this.random;
    const c = pick(r, this.customers);
    const abroad = r() < this.options.travel;
    const device = r() < this.options.newDevice ? `${c.id}-dev-new${this.seq}` : pick(r, c.devices);
    const country = abroad
      ? pick(
          r,
          COUNTRIES.filter((k) => k !== c.home),
        )
      : c.home;
    return {
      event: this.tx(ts, c, pick(r, c.cards), device, country, cents(logNormal(r, c.median, 0.5))),
      truth: null,
      incident: null,
    };
  }

  private schedule(events: LabelledTransaction[]): LabelledTransaction {
    const [first, ...rest] = events;
    this.pending.push(...rest);
    return first as LabelledTransaction;
  }

  private tx(
    ts: number,
    c: Customer,
    card: string,
    device: string,
    country: string,
    amount: number,
  ): SimEvent {
    return {
      id: `${this.runId}-tx${++this.seq}`,
      type: "transaction",
      ts,
      source: "payments",
      value: amount,
      attrs: {
        currency: pick(this.random, CURRENCIES),
        card_id: card,
        customer_id: c.id,
        merchant: pick(this.random, DEMO_MERCHANTS),
        country,
        device_id: device,
      },
    };
  }

  private incident(pattern: FraudPattern, events: SimEvent[]): LabelledTransaction[] {
    const incident = `${pattern}-${++this.incidents}`;
    return events.map((event) => ({ event, truth: pattern, incident }));
  }

  /** 6–10 amounts of 0.50–3.00 on one card from one unknown device, 2–6 s apart. */
  private cardTesting(now: number): LabelledTransaction[] {
    const r = this.random;
    const c = pick(r, this.customers);
    const card = pick(r, c.cards);
    const device = `tester-${this.incidents}-${this.seq}`;
    const country = pick(r, COUNTRIES);
    let ts = now;
    const events = Array.from({ length: 6 + Math.floor(r() * 5) }, () => {
      const event = this.tx(ts, c, card, device, country, cents(0.5 + r() * 2.5));
      ts += 2_000 + Math.floor(r() * 4_000);
      return event;
    });
    return this.incident("card_testing", events);
  }

  /** One large amount (8–20 × the customer's median) from a new device in a foreign country. */
  private takeover(now: number): LabelledTransaction {
    const r = this.random;
    const c = pick(r, this.customers);
    const country = pick(
      r,
      COUNTRIES.filter((k) => k !== c.home),
    );
    const event = this.tx(
      now,
      c,
      pick(r, c.cards),
      `ato-${this.seq}`,
      country,
      cents(c.median * (8 + r() * 12)),
    );
    return this.incident("account_takeover", [event])[0] as LabelledTransaction;
  }

  /** 10–14 ordinary-looking transactions of one customer on their own card, 10–30 s apart. */
  private velocitySpike(now: number): LabelledTransaction[] {
    const r = this.random;
    const c = pick(r, this.customers);
    const card = pick(r, c.cards);
    const device = pick(r, c.devices);
    let ts = now;
    const events = Array.from({ length: 10 + Math.floor(r() * 5) }, () => {
      const event = this.tx(ts, c, card, device, c.home, cents(logNormal(r, c.median, 0.5)));
      ts += 10_000 + Math.floor(r() * 20_000);
      return event;
    });
    return this.incident("velocity_spike", events);
  }
}
