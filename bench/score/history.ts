/**
 * Bulk-loads scored-transaction history for the score bench straight into the feature state
 * (fraud_decisions rows and fraud_customer_days rollups), set-based with unnest — not through
 * the API: the bench measures decisions against a big history, not the loading.
 */
import type pg from "pg";
import { addValue, emptyState, serializeState, type AggregateState } from "../../server/core/aggregate-state";
import { DAY_MS } from "../../server/core/fraud/features";
import { FraudTrafficGenerator } from "../../server/simulator/fraud-traffic";

const BATCH = 20_000;

export interface HistoryOptions {
  transactions: number;
  customers: number;
  days: number;
  now: number;
  seed: number;
}

type Day = { state: AggregateState; squares: number };

async function insertDecisions(pool: pg.Pool, rows: ReturnType<FraudTrafficGenerator["legitimate"]>[]) {
  const col = <T>(pick: (e: (typeof rows)[number]["event"]) => T) => rows.map((r) => pick(r.event));
  await pool.query(
    `INSERT INTO fraud_decisions (id, ts, card_id, customer_id, device_id, country, merchant, amount, decision, score,
       reasons, hits, shadow_hits, features, rules_version, decided_at, latency_ms, event)
     SELECT id, ts, card, cust, dev, country, merchant, amount, 'approved', 0, '[]', '{}', '{}', '{}', 1, ts, 0, '{}'
     FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::float8[])
       AS t(id, ts, card, cust, dev, country, merchant, amount)`,
    [
      col((e) => e.id),
      col((e) => new Date(e.ts)),
      col((e) => String(e.attrs.card_id)),
      col((e) => String(e.attrs.customer_id)),
      col((e) => String(e.attrs.device_id)),
      col((e) => String(e.attrs.country)),
      col((e) => String(e.attrs.merchant)),
      col((e) => e.value ?? 0),
    ],
  );
}

async function insertDays(pool: pg.Pool, entries: [string, Day][]) {
  const states = entries.map(([, d]) => serializeState(d.state));
  await pool.query(
    `INSERT INTO fraud_customer_days (customer_id, day, count, sum, sum_squares, min, max, quantiles)
     SELECT * FROM unnest($1::text[], $2::date[], $3::int8[], $4::float8[], $5::float8[], $6::float8[], $7::float8[], $8::bytea[])`,
    [
      entries.map(([k]) => k.split("|")[0]),
      entries.map(([k]) => k.split("|")[1]),
      states.map((s) => s.count),
      states.map((s) => s.sum),
      entries.map(([, d]) => d.squares),
      states.map((s) => s.min),
      states.map((s) => s.max),
      states.map((s) => (s.quantiles ? Buffer.from(s.quantiles) : null)),
    ],
  );
}

/** Loads `transactions` legitimate transactions spread over the last `days`; returns the seconds it took. */
export async function loadHistory(
  pool: pg.Pool,
  options: HistoryOptions,
  log: (m: string) => void,
): Promise<number> {
  const started = Date.now();
  const generator = new FraudTrafficGenerator(options.seed, "hist", {
    customers: options.customers,
    incidentRate: 0,
    travel: 0.03,
    newDevice: 0.02,
  });
  const days = new Map<string, Day>();
  const span = options.days * DAY_MS;
  let random = options.seed >>> 0;
  const next = () => (random = (Math.imul(random, 1_664_525) + 1_013_904_223) >>> 0) / 2 ** 32;
  for (let done = 0; done < options.transactions; done += BATCH) {
    const batch = Array.from({ length: Math.min(BATCH, options.transactions - done) }, () =>
      // Up to two minutes before now: the measured traffic starts with its own velocity windows.
      generator.legitimate(options.now - 120_000 - Math.floor(next() * (span - 120_000))),
    );
    await insertDecisions(pool, batch);
    for (const { event } of batch) {
      const key = `${String(event.attrs.customer_id)}|${new Date(Math.floor(event.ts / DAY_MS) * DAY_MS).toISOString().slice(0, 10)}`;
      let day = days.get(key);
      if (!day) days.set(key, (day = { state: emptyState(), squares: 0 }));
      addValue(day.state, event.value);
      day.squares += (event.value ?? 0) ** 2;
    }
    if ((done / BATCH) % 10 === 0) log(`history: ${done + batch.length} transactions`);
  }
  const entries = [...days];
  for (let i = 0; i < entries.length; i += BATCH) await insertDays(pool, entries.slice(i, i + BATCH));
  log(`history: ${entries.length} customer-days`);
  await pool.query("ANALYZE fraud_decisions; ANALYZE fraud_customer_days");
  return (Date.now() - started) / 1000;
}
