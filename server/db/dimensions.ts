import { LRUCache } from "lru-cache";
import pg from "pg";
import type { ValidEvent } from "../contract";
import { dimensionKeys, enrichEvent, type CustomerDimension, type MerchantDimension } from "../core/enrich";
import { errorFields, type Logger } from "../log";

/** A cached lookup result; `null` remembers that the row does not exist. */
type Cached<T> = { row: T | null };

export interface DimensionCacheOptions {
  maxEntries: number;
  /** Upper bound on staleness if a change notification is ever missed. */
  ttlMs: number;
}

const CHANNEL = "nowcast_dimensions";

/**
 * Bounded cache of dimension rows for enrichment. Missing ids of a batch are fetched in one
 * query per table; changes arrive by LISTEN/NOTIFY (triggers in the migrations) and evict the
 * row at once, with the TTL as a backstop.
 */
export class DimensionCache {
  private readonly customers: LRUCache<string, Cached<CustomerDimension>>;
  private readonly merchants: LRUCache<string, Cached<MerchantDimension>>;
  private listener: pg.Client | undefined;
  private closed = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly log: Logger,
    options: DimensionCacheOptions = { maxEntries: 100_000, ttlMs: 60_000 },
  ) {
    this.customers = new LRUCache({ max: options.maxEntries, ttl: options.ttlMs });
    this.merchants = new LRUCache({ max: options.maxEntries, ttl: options.ttlMs });
  }

  /** Enriches a batch: fetches what the cache lacks, then applies the pure enrichment. */
  async enrich(events: ValidEvent[]): Promise<ValidEvent[]> {
    const keys = dimensionKeys(events);
    if (keys.customers.length === 0 && keys.merchants.length === 0) return events;
    await Promise.all([this.fetchCustomers(keys.customers), this.fetchMerchants(keys.merchants)]);
    const lookup = {
      customer: (id: string) => this.customers.get(id)?.row,
      merchant: (id: string) => this.merchants.get(id)?.row,
    };
    return events.map((event) => enrichEvent(event, lookup));
  }

  private async fetchCustomers(ids: string[]): Promise<void> {
    const missing = ids.filter((id) => !this.customers.has(id));
    if (missing.length === 0) return;
    const result = await this.pool.query<{ id: string; segment: string; home_country: string | null }>(
      "SELECT id, segment, home_country FROM customers WHERE id = ANY($1::text[])",
      [missing],
    );
    for (const id of missing) this.customers.set(id, { row: null });
    for (const r of result.rows)
      this.customers.set(r.id, { row: { segment: r.segment, homeCountry: r.home_country } });
  }

  private async fetchMerchants(ids: string[]): Promise<void> {
    const missing = ids.filter((id) => !this.merchants.has(id));
    if (missing.length === 0) return;
    const result = await this.pool.query<{ id: string; category: string }>(
      "SELECT id, category FROM merchants WHERE id = ANY($1::text[])",
      [missing],
    );
    for (const id of missing) this.merchants.set(id, { row: null });
    for (const r of result.rows) this.merchants.set(r.id, { row: { category: r.category } });
  }

  /** Applies one change notification (`<table>:<id>`). */
  invalidate(payload: string): void {
    const [table, ...rest] = payload.split(":");
    const id = rest.join(":");
    if (table === "customers") this.customers.delete(id);
    else if (table === "merchants") this.merchants.delete(id);
  }

  /** Listens for changes on a dedicated connection, reconnecting after failures. */
  async listen(connectionString: string): Promise<void> {
    if (this.closed) return;
    const client = new pg.Client({ connectionString, application_name: "nowcast-dimensions" });
    const retry = (error: unknown) => {
      if (this.closed || this.listener !== client) return;
      this.listener = undefined;
      this.log.warn("dimension change listener lost; cache cleared, reconnecting", errorFields(error));
      // Changes may have been missed meanwhile: start from an empty cache.
      this.customers.clear();
      this.merchants.clear();
      setTimeout(() => void this.listen(connectionString).catch(retry), 2_000);
    };
    client.on("error", retry);
    client.on("end", () => retry(new Error("connection ended")));
    client.on("notification", (message) => message.payload && this.invalidate(message.payload));
    this.listener = client;
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
    } catch (error) {
      retry(error);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const client = this.listener;
    this.listener = undefined;
    await client?.end().catch(() => undefined);
  }
}
