import type { Attrs, ReasonCode, ValidEvent } from "../contract";
import { eventSubject } from "../nats/streams";
import type { SeededRandom } from "./seeded-random";

/** One message to publish on JetStream, with the Nats-Msg-Id it is published under. */
export interface MixMessage {
  subject: string;
  body: string;
  msgID: string;
  kind: "valid" | "duplicate" | "invalid";
}

export interface MixOptions {
  /** Share of messages that repeat an earlier event under a new Nats-Msg-Id. */
  duplicateRate: number;
  /** Share of messages the contract rejects (they must end up as dead letters). */
  invalidRate: number;
  /** Event times are `now()` minus up to this much, below the 5 s out-of-orderness. */
  maxJitterMs: number;
}

/** The rejection codes the mix produces, each the first reason of its dead letter. */
export const MIX_INVALID_CODES = [
  "invalid_json",
  "unknown_type",
  "invalid_ts",
] as const satisfies readonly ReasonCode[];
export type MixInvalidCode = (typeof MIX_INVALID_CODES)[number];

const PATHS = ["/", "/pricing", "/docs", "/docs/start", "/blog/launch", "/account"];
const COUNTRIES = ["DE", "US", "FR", "BR", "IN", "JP"];
const DEVICES = ["desktop", "mobile", "tablet", "other"];
const ROUTES = ["/api/orders", "/api/search", "/api/login", "/api/items/:id"];
const METHODS = ["GET", "GET", "GET", "POST", "PUT", "DELETE"];
const STATUSES = [200, 200, 200, 200, 201, 204, 404, 429, 500, 503];
const REGIONS = ["eu-west", "us-east", "ap-south"];
const CURRENCIES = ["EUR", "USD", "GBP"];

/**
 * Generates a seeded stream of built-in events (page_view, api_request, transaction) with
 * duplicates published under a different Nats-Msg-Id (so they pass JetStream's de-duplication
 * and must be absorbed by Postgres) and invalid messages, and keeps the ground truth of what
 * was generated: the unique valid events and the invalid count per rejection code.
 */
export class EventMix {
  /** Unique valid events by id, in first-publication order. */
  readonly unique = new Map<string, ValidEvent>();
  readonly invalid = new Map<MixInvalidCode, number>(MIX_INVALID_CODES.map((code) => [code, 0]));
  duplicates = 0;
  private readonly validMessages: MixMessage[] = [];
  private seq = 0;

  constructor(
    private readonly namespace: string,
    private readonly random: SeededRandom,
    private readonly options: MixOptions,
    private readonly idPrefix = "ev",
  ) {}

  get messages(): number {
    return this.seq;
  }

  get invalidTotal(): number {
    let total = 0;
    for (const n of this.invalid.values()) total += n;
    return total;
  }

  /** The next message to publish; event times are taken relative to `now`. */
  next(now: number): MixMessage {
    this.seq += 1;
    const roll = this.random.next();
    if (roll < this.options.invalidRate) return this.invalidMessage(now);
    const earlier = this.validMessages.length > 0 ? this.random.pick(this.validMessages) : undefined;
    if (earlier && roll < this.options.invalidRate + this.options.duplicateRate) {
      this.duplicates += 1;
      // Same body, new Nats-Msg-Id: a producer retry after JetStream's dedup window.
      return { ...earlier, msgID: `${earlier.msgID}~dup${this.seq}`, kind: "duplicate" };
    }
    const event = this.validEvent(now);
    this.unique.set(event.id, event);
    const envelope: Record<string, unknown> = {
      id: event.id,
      type: event.type,
      // Both forms of the contract: RFC 3339 string and epoch milliseconds.
      ts: this.random.chance(0.5) ? new Date(event.ts).toISOString() : event.ts,
      attrs: event.attrs,
    };
    if (event.value !== undefined) envelope.value = event.value;
    if (event.source !== undefined) envelope.source = event.source;
    const message: MixMessage = {
      subject: eventSubject(this.namespace, event.type),
      body: JSON.stringify(envelope),
      msgID: event.id,
      kind: "valid",
    };
    this.validMessages.push(message);
    return message;
  }

  private validEvent(now: number): ValidEvent {
    const { random } = this;
    const id = `${this.idPrefix}-${this.seq}`;
    const ts = now - random.int(0, this.options.maxJitterMs);
    const base = { id, ts, v: 1, ...(random.chance(0.3) ? { source: "chaos-test" } : {}) };
    const kind = random.next();
    if (kind < 0.45) {
      const attrs: Attrs = { path: random.pick(PATHS), device: random.pick(DEVICES) };
      // Some without country or user: they group under "(none)" and feed no distinct key.
      if (random.chance(0.85)) attrs.country = random.pick(COUNTRIES);
      if (random.chance(0.9)) attrs.user_id = `u${random.int(1, 500)}`;
      return { ...base, type: "page_view", attrs };
    }
    if (kind < 0.8) {
      // Long-tailed latency with sub-millisecond digits, so sums and sketches are non-trivial.
      const value = Math.round((3 + random.next() ** 4 * 2_000) * 1000) / 1000;
      const attrs: Attrs = {
        route: random.pick(ROUTES),
        method: random.pick(METHODS),
        status: random.pick(STATUSES),
      };
      if (random.chance(0.8)) attrs.region = random.pick(REGIONS);
      return { ...base, type: "api_request", value, attrs };
    }
    const attrs: Attrs = {
      currency: random.pick(CURRENCIES),
      card_id: `card${random.int(1, 300)}`,
      customer_id: `c${random.int(1, 200)}`,
      merchant: `m${random.int(1, 40)}`,
    };
    if (random.chance(0.7)) attrs.country = random.pick(COUNTRIES);
    if (random.chance(0.5)) attrs.device_id = `d${random.int(1, 100)}`;
    return { ...base, type: "transaction", value: random.int(50, 500_000) / 100, attrs };
  }

  private invalidMessage(now: number): MixMessage {
    const code = this.random.pick(MIX_INVALID_CODES);
    this.invalid.set(code, (this.invalid.get(code) ?? 0) + 1);
    const id = `${this.idPrefix}-bad-${this.seq}`;
    const msgID = id;
    switch (code) {
      case "invalid_json":
        return {
          subject: eventSubject(this.namespace, "page_view"),
          body: `{"id":"${id}","type":"page_view","ts":${now}`,
          msgID,
          kind: "invalid",
        };
      case "unknown_type":
        return {
          subject: eventSubject(this.namespace, "mystery_event"),
          body: JSON.stringify({ id, type: "mystery_event", ts: now }),
          msgID,
          kind: "invalid",
        };
      case "invalid_ts":
        return {
          subject: eventSubject(this.namespace, "page_view"),
          body: JSON.stringify({ id, type: "page_view", ts: "yesterday", attrs: { path: "/" } }),
          msgID,
          kind: "invalid",
        };
    }
  }
}
