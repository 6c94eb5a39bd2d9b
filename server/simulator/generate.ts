import { ERROR_BURST_RATE, incidentAt, LATENCY_SPIKE_FACTOR, type Incident } from "./incidents";

/**
 * Realistic traffic for the demo and tests: page views, API requests, transactions, signups
 * and errors, with the faults real producers make (duplicates, out-of-order, late and
 * malformed events). Pure and seeded: the same seed and clock give the same stream.
 */

/** Small fast seeded PRNG (mulberry32). */
export function createRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Random = () => number;
const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
const logNormal = (random: Random, median: number, sigma: number) => {
  const u = Math.max(random(), 1e-12);
  const v = random();
  const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  return median * Math.exp(sigma * z);
};

const PATHS = ["/", "/pricing", "/docs", "/blog", "/signup", "/cart", "/checkout", "/account"];
const COUNTRIES = ["US", "DE", "GB", "FR", "IN", "BR", "JP", "CA", "NL", "ES"];
const DEVICES = ["desktop", "mobile", "tablet"] as const;
const ROUTES = ["/api/cart", "/api/search", "/api/checkout", "/api/login", "/api/products", "/api/user"];
const REGIONS = ["us-east", "eu-west", "ap-south"];
const CURRENCIES = ["USD", "EUR", "GBP"];
const MERCHANTS = ["acme-books", "globex-travel", "initech-software", "umbrella-pharma", "hooli-cloud"];

export interface SimEvent {
  id: string;
  type: string;
  ts: number;
  value?: number;
  source: string;
  attrs: Record<string, string | number | boolean>;
}

/** One message to publish: subject type and body (the body may be deliberately broken). */
export interface SimMessage {
  type: string;
  /** JetStream dedup id. */
  msgId: string;
  body: string;
  kind: "valid" | "duplicate" | "malformed";
}

export interface FaultRates {
  duplicate: number;
  outOfOrder: number;
  late: number;
  malformed: number;
}

export const DEFAULT_FAULTS: FaultRates = {
  duplicate: 0.01,
  // Out-of-order arrivals stay within the default 5 s out-of-orderness (so they never revise a
  // bucket); late ones (1–15 min behind) revise old buckets or are too late, as stragglers do.
  outOfOrder: 0.05,
  late: 0.0005,
  malformed: 0.005,
};

function baseEvent(
  random: Random,
  seq: number,
  ts: number,
  runId: string,
  incident: Incident | null,
): SimEvent {
  const id = `${runId}-${seq}`;
  const roll = random();
  const user = `u${Math.floor(random() * 5000)}`;
  if (roll < 0.5) {
    return {
      id,
      type: "page_view",
      ts,
      source: "web",
      attrs: {
        path: pick(random, PATHS),
        country: pick(random, COUNTRIES),
        device: pick(random, DEVICES),
        user_id: user,
      },
    };
  }
  if (roll < 0.85) {
    const failRate = incident === "error_burst" ? ERROR_BURST_RATE : 0.02;
    const status = random() < failRate ? pick(random, [500, 502, 503]) : random() < 0.05 ? 404 : 200;
    const median = incident === "latency_spike" ? 80 * LATENCY_SPIKE_FACTOR : 80;
    return {
      id,
      type: "api_request",
      ts,
      source: "gateway",
      value: Math.round(logNormal(random, median, 0.6) * 10) / 10,
      attrs: {
        route: pick(random, ROUTES),
        method: random() < 0.7 ? "GET" : "POST",
        status,
        region: pick(random, REGIONS),
      },
    };
  }
  if (roll < 0.97) {
    return {
      id,
      type: "transaction",
      ts,
      source: "payments",
      value: Math.round(logNormal(random, 40, 0.9) * 100) / 100,
      attrs: {
        currency: pick(random, CURRENCIES),
        card_id: `card${Math.floor(random() * 3000)}`,
        customer_id: `c${Math.floor(random() * 2000)}`,
        merchant: pick(random, MERCHANTS),
        country: pick(random, COUNTRIES),
        device_id: `d${Math.floor(random() * 4000)}`,
      },
    };
  }
  if (roll < 0.99)
    return {
      id,
      type: "signup",
      ts,
      source: "web",
      attrs: { user_id: user, plan: pick(random, ["free", "pro"]) },
    };
  return {
    id,
    type: "error",
    ts,
    source: "web",
    attrs: { message: "TypeError: x is undefined", route: pick(random, PATHS) },
  };
}

const MALFORMED: ((e: SimEvent) => { type: string; body: string })[] = [
  (e) => ({ type: e.type, body: `{"id":"${e.id}","type":"${e.type}",` }),
  (e) => ({ type: "purchase_made", body: JSON.stringify({ ...e, type: "purchase_made" }) }),
  (e) => ({ type: e.type, body: JSON.stringify({ ...e, id: undefined }) }),
  (e) => ({ type: e.type, body: JSON.stringify({ ...e, ts: "yesterday" }) }),
  (e) => ({ type: e.type, body: JSON.stringify({ ...e, attrs: { ...e.attrs, nested: { a: 1 } } }) }),
  (e) => ({ type: "api_request", body: JSON.stringify({ ...e, type: "api_request", value: "fast" }) }),
];

/** Generates the messages for one tick of the simulator. */
export class TrafficGenerator {
  private seq = 0;
  private readonly random: Random;
  private readonly recent: SimEvent[] = [];

  constructor(
    seed: number,
    private readonly runId: string,
    private readonly faults: FaultRates = DEFAULT_FAULTS,
    /** Scripted incidents (incidents.ts) for the demo's alerts; off for tests and benchmarks. */
    private readonly incidents = false,
  ) {
    this.random = createRandom(seed);
  }

  next(now: number): SimMessage {
    const random = this.random;
    if (this.recent.length > 0 && random() < this.faults.duplicate) {
      // A producer retry: same id and body. JetStream drops it inside its dedup window;
      // past it, Postgres's ON CONFLICT does.
      const original = pick(random, this.recent);
      return { type: original.type, msgId: original.id, body: JSON.stringify(original), kind: "duplicate" };
    }
    let ts = now;
    const roll = random();
    if (roll < this.faults.late) ts = now - 60_000 - Math.floor(random() * 14 * 60_000);
    else if (roll < this.faults.late + this.faults.outOfOrder) ts = now - Math.floor(random() * 4_500);
    const event = baseEvent(random, ++this.seq, ts, this.runId, this.incidents ? incidentAt(ts) : null);
    if (random() < this.faults.malformed) {
      const broken = pick(random, MALFORMED)(event);
      return { ...broken, msgId: `${event.id}-bad`, kind: "malformed" };
    }
    this.recent.push(event);
    if (this.recent.length > 1000) this.recent.shift();
    return { type: event.type, msgId: event.id, body: JSON.stringify(event), kind: "valid" };
  }
}
