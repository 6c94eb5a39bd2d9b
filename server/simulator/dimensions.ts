import type pg from "pg";
import { createRandom } from "./generate";

const SEGMENTS = ["new", "regular", "vip", "churn-risk"];
const COUNTRIES = ["US", "DE", "GB", "FR", "IN", "BR", "JP", "CA", "NL", "ES"];
const MERCHANT_CATEGORIES: Record<string, string> = {
  "acme-books": "retail",
  "globex-travel": "travel",
  "initech-software": "software",
  "umbrella-pharma": "health",
  "hooli-cloud": "software",
};

export const DEMO_CUSTOMERS = 2000;
export const DEMO_MERCHANTS = Object.keys(MERCHANT_CATEGORIES);

/** The simulator's customers (c0…c{count−1}) with segment and home country; pure and seeded. */
export function demoCustomerRows(seed = 42, count = DEMO_CUSTOMERS) {
  const random = createRandom(seed);
  const ids = Array.from({ length: count }, (_, i) => `c${i}`);
  const segments = ids.map(() => SEGMENTS[Math.floor(random() * SEGMENTS.length)] ?? "regular");
  const countries = ids.map(() => COUNTRIES[Math.floor(random() * COUNTRIES.length)] ?? "US");
  return { ids, segments, countries };
}

/**
 * Dimension rows for the simulator's customers (c0…c1999) and merchants, so enrichment has
 * something to find in the demo. Idempotent: existing rows are left as they are.
 */
export async function seedDemoDimensions(pool: pg.Pool, seed = 42, count = DEMO_CUSTOMERS): Promise<void> {
  const { ids, segments, countries } = demoCustomerRows(seed, count);
  await pool.query(
    `INSERT INTO customers (id, segment, home_country)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) ON CONFLICT (id) DO NOTHING`,
    [ids, segments, countries],
  );
  await pool.query(
    `INSERT INTO merchants (id, category) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT (id) DO NOTHING`,
    [Object.keys(MERCHANT_CATEGORIES), Object.values(MERCHANT_CATEGORIES)],
  );
}
