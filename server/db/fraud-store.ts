import type pg from "pg";
import { FRAUD_WINDOWS, type FraudFeatures, type FraudReason, type FraudWindow } from "../contract/fraud";
import {
  DAY_MS,
  addToDay,
  historyStartDay,
  type CustomerDay,
  type FeatureInputs,
  type ScoredTransaction,
  type WindowSums,
} from "../core/fraud/features";
import { inTransaction } from "./clients";

/** A stored decision: what a repeated id gets back, and the outbox entry for ingest. */
export interface StoredDecision {
  id: string;
  decision: "approved" | "flagged";
  score: number;
  reasons: FraudReason[];
  features: FraudFeatures;
  rulesVersion: number;
  decidedAt: Date;
  /** The transaction event as ingested, with its decision attrs. */
  event: Record<string, unknown>;
  published: boolean;
}

/** What the caller decided from the inputs (pure code), to be stored atomically with the state. */
export interface NewDecision extends Omit<StoredDecision, "published" | "id"> {
  hits: string[];
  shadowHits: string[];
  latencyMs: number;
}

export interface DecisionSubject extends ScoredTransaction {
  id: string;
  merchant: string;
}

/** Advisory-lock class of the fraud feature state (the two-int form: its own key space). */
const FEATURE_LOCK_CLASS = 13_013;

/** 32-bit FNV-1a: the same key on every instance, no database round trip. */
export function lockKey(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}

/** The entities a transaction touches, as sorted lock keys (a fixed order: no deadlocks). */
export function entityLockKeys(tx: DecisionSubject): number[] {
  const keys = new Set([lockKey(`card:${tx.card}`), lockKey(`customer:${tx.customer}`)]);
  if (tx.device) keys.add(lockKey(`device:${tx.device}`));
  return [...keys].sort((a, b) => a - b);
}

const SELECT_DECISION = `SELECT id, decision, score, reasons, features, rules_version, decided_at, event,
  published_at IS NOT NULL AS published FROM fraud_decisions WHERE id = $1`;

type DecisionRow = {
  id: string;
  decision: "approved" | "flagged";
  score: number;
  reasons: FraudReason[];
  features: FraudFeatures;
  rules_version: number;
  decided_at: Date;
  event: Record<string, unknown>;
  published: boolean;
};

const toDecision = (r: DecisionRow): StoredDecision => ({
  id: r.id,
  decision: r.decision,
  score: r.score,
  reasons: r.reasons,
  features: r.features,
  rulesVersion: r.rules_version,
  decidedAt: r.decided_at,
  event: r.event,
  published: r.published,
});

export async function findDecision(db: pg.Pool | pg.PoolClient, id: string): Promise<StoredDecision | null> {
  const { rows } = await db.query<DecisionRow>(SELECT_DECISION, [id]);
  return rows[0] ? toDecision(rows[0]) : null;
}

const velocity = (
  entity: "card" | "customer" | "device",
  column: string,
  param: string,
) => `(SELECT json_build_object(
    ${Object.keys(FRAUD_WINDOWS)
      .map(
        (w, i) =>
          `'c${w}', count(*) FILTER (WHERE ts > $${i + 2}), 'a${w}', coalesce(sum(amount) FILTER (WHERE ts > $${i + 2}), 0)`,
      )
      .join(",\n    ")}${
      entity === "card"
        ? `,
    'countries', coalesce(array_agg(DISTINCT country) FILTER (WHERE country IS NOT NULL), '{}'),
    'devices', coalesce(array_agg(DISTINCT device_id) FILTER (WHERE device_id IS NOT NULL), '{}')`
        : ""
    })
  FROM fraud_decisions WHERE ${column} = ${param} AND ts > $4 AND ts <= $5)`;

/**
 * Everything stored before this transaction that its features need, in one statement:
 * windows are `(ts − W, ts]` by event time ($2–$4 are the 1 m, 1 h, 24 h starts, $5 = ts).
 */
const FEATURE_INPUTS = `SELECT
  ${velocity("card", "card_id", "$1")} AS card,
  ${velocity("customer", "customer_id", "$6")} AS customer,
  CASE WHEN $7::text IS NULL THEN NULL ELSE ${velocity("device", "device_id", "$7")} END AS device,
  CASE WHEN $7::text IS NULL THEN NULL
       ELSE EXISTS (SELECT 1 FROM fraud_decisions WHERE customer_id = $6 AND device_id = $7) END AS device_seen,
  coalesce((SELECT home_country FROM customers WHERE id = $6),
           (SELECT country FROM fraud_decisions WHERE customer_id = $6 AND country IS NOT NULL
            ORDER BY ts, id LIMIT 1)) AS home_country,
  (SELECT category FROM merchants WHERE id = $8) AS merchant_category,
  (SELECT coalesce(json_agg(json_build_object('day', day, 'count', count, 'sum', sum, 'sumSquares', sum_squares,
     'min', min, 'max', max, 'quantiles', encode(quantiles, 'base64'))), '[]')
   FROM fraud_customer_days WHERE customer_id = $6 AND day BETWEEN $9::date AND $10::date) AS days,
  (SELECT max(version) FROM fraud_rule_sets) AS rules_version,
  EXISTS (SELECT 1 FROM fraud_decisions WHERE id = $11) AS known`;

type Sums = Record<`c${FraudWindow}` | `a${FraudWindow}`, number> & {
  countries?: string[];
  devices?: string[];
};
type DayJson = {
  day: string;
  count: number;
  sum: number;
  sumSquares: number;
  min: number | null;
  max: number | null;
  quantiles: string | null;
};
type InputsRow = {
  card: Sums;
  customer: Sums;
  device: Sums | null;
  device_seen: boolean | null;
  home_country: string | null;
  merchant_category: string | null;
  days: DayJson[];
  rules_version: number | null;
  known: boolean;
};

const windowsOf = (s: Sums): Record<FraudWindow, WindowSums> => {
  const out = {} as Record<FraudWindow, WindowSums>;
  for (const w of Object.keys(FRAUD_WINDOWS) as FraudWindow[])
    out[w] = { count: Number(s[`c${w}`]), amount: Number(s[`a${w}`]) };
  return out;
};

const toDay = (d: DayJson): CustomerDay => ({
  state: {
    count: Number(d.count),
    sum: d.sum,
    min: d.min,
    max: d.max,
    quantiles: d.quantiles ? Buffer.from(d.quantiles, "base64") : null,
    distinct: null,
  },
  sumSquares: d.sumSquares,
});

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

async function readInputs(client: pg.PoolClient, tx: DecisionSubject) {
  const day = Math.floor(tx.ts / DAY_MS) * DAY_MS;
  const starts = (Object.keys(FRAUD_WINDOWS) as FraudWindow[]).map((w) => new Date(tx.ts - FRAUD_WINDOWS[w]));
  const { rows } = await client.query<InputsRow>(FEATURE_INPUTS, [
    tx.card,
    ...starts,
    new Date(tx.ts),
    tx.customer,
    tx.device,
    tx.merchant,
    isoDay(historyStartDay(tx.ts)),
    isoDay(day),
    tx.id,
  ]);
  const row = rows[0];
  if (!row) throw new Error("feature query returned no row");
  const days = row.days.map((d) => ({ key: d.day, day: toDay(d) }));
  const inputs: FeatureInputs = {
    velocity: {
      card: windowsOf(row.card),
      customer: windowsOf(row.customer),
      ...(row.device ? { device: windowsOf(row.device) } : {}),
    },
    cardCountries24h: row.card.countries ?? [],
    cardDevices24h: row.card.devices ?? [],
    deviceSeenBefore: row.device_seen,
    homeCountry: row.home_country,
    merchantCategory: row.merchant_category,
    history: days.map((d) => d.day),
  };
  return {
    inputs,
    today: days.find((d) => d.key === isoDay(day))?.day ?? null,
    rulesVersion: row.rules_version,
    known: row.known,
  };
}

const INSERT_DECISION = `WITH ins AS (
  INSERT INTO fraud_decisions (id, ts, card_id, customer_id, device_id, country, merchant, amount, decision, score,
    reasons, hits, shadow_hits, features, rules_version, decided_at, latency_ms, event)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb, $12::text[], $13::text[], $14::jsonb, $15, $16, $17, $18::jsonb)
  ON CONFLICT (id) DO NOTHING RETURNING 1
), day AS (
  INSERT INTO fraud_customer_days (customer_id, day, count, sum, sum_squares, min, max, quantiles)
  SELECT $4, $19::date, $20, $21, $22, $23, $24, $25 WHERE EXISTS (SELECT 1 FROM ins)
  ON CONFLICT (customer_id, day) DO UPDATE SET count = EXCLUDED.count, sum = EXCLUDED.sum,
    sum_squares = EXCLUDED.sum_squares, min = EXCLUDED.min, max = EXCLUDED.max, quantiles = EXCLUDED.quantiles
  RETURNING 1
)
SELECT (SELECT count(*) FROM ins)::int AS inserted`;

/** Reads one rule set version's stored JSON on the decision's own connection. */
export type LoadRules = (version: number) => Promise<unknown>;

/**
 * How the caller turns the stored inputs into a decision. A rule set it has not cached is read
 * with `loadRules` on the transaction's connection: asking the pool for another one while
 * holding this one could starve the pool (every connection waiting for a second).
 */
export type Decide = (
  inputs: FeatureInputs,
  rulesVersion: number | null,
  loadRules: LoadRules,
) => Promise<NewDecision> | NewDecision;

/**
 * Decides one transaction under the advisory locks of its card, customer and device, so
 * concurrent decisions on any shared entity (on any web instance) run one after another and
 * each reads every earlier one (READ COMMITTED: each statement sees what committed before it).
 * The decision row and the customer's day rollup commit together; a repeated id keeps the
 * first decision (`created: false`).
 */
export async function decideAndStore(
  pool: pg.Pool,
  tx: DecisionSubject,
  decide: Decide,
): Promise<{ decision: StoredDecision; created: boolean }> {
  // BEGIN and the locks in one round trip (no parameters: the keys are integers computed here).
  const locks = entityLockKeys(tx)
    .map((k) => `pg_advisory_xact_lock(${FEATURE_LOCK_CLASS}, ${k})`)
    .join(", ");
  const made = await inTransaction(
    pool,
    async (client) => {
      const { inputs, today, rulesVersion, known } = await readInputs(client, tx);
      // Decided before (a retry, or a concurrent request that held the locks first).
      if (known) return null;
      const d = await decide(inputs, rulesVersion, async (version) => {
        const { rows } = await client.query<{ rules: unknown }>(
          `SELECT rules FROM fraud_rule_sets WHERE version = $1`,
          [version],
        );
        if (!rows[0]) throw new Error(`fraud rule set version ${version} is not stored`);
        return rows[0].rules;
      });
      const day = addToDay(today, tx.amount);
      const { rows } = await client.query<{ inserted: number }>(INSERT_DECISION, [
        tx.id,
        new Date(tx.ts),
        tx.card,
        tx.customer,
        tx.device,
        tx.country,
        tx.merchant,
        tx.amount,
        d.decision,
        d.score,
        JSON.stringify(d.reasons),
        d.hits,
        d.shadowHits,
        JSON.stringify(d.features),
        d.rulesVersion,
        d.decidedAt,
        d.latencyMs,
        JSON.stringify(d.event),
        isoDay(Math.floor(tx.ts / DAY_MS) * DAY_MS),
        day.state.count,
        day.state.sum,
        day.sumSquares,
        day.state.min,
        day.state.max,
        day.state.quantiles ? Buffer.from(day.state.quantiles) : null,
      ]);
      return (rows[0]?.inserted ?? 0) > 0 ? d : null;
    },
    `BEGIN; SELECT ${locks}`,
  );
  if (made) {
    const { hits: _h, shadowHits: _s, latencyMs: _l, ...stored } = made;
    return { decision: { ...stored, id: tx.id, published: false }, created: true };
  }
  // Another request decided this id first (the row was there, or won the insert).
  const decision = await findDecision(pool, tx.id);
  if (!decision) throw new Error(`decision ${tx.id} is neither new nor stored`);
  return { decision, created: false };
}

/** Records that JetStream has the decided transaction (the outbox entry is done). */
export async function markPublished(pool: pg.Pool, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await pool.query(
    `UPDATE fraud_decisions SET published_at = now() WHERE id = ANY($1::text[]) AND published_at IS NULL`,
    [ids],
  );
}

/** Decided transactions JetStream may not have yet (a crash between commit and publish). */
export async function unpublishedDecisions(
  pool: pg.Pool,
  olderThan: Date,
  limit: number,
): Promise<Array<{ id: string; event: Record<string, unknown> }>> {
  const { rows } = await pool.query<{ id: string; event: Record<string, unknown> }>(
    `SELECT id, event FROM fraud_decisions WHERE published_at IS NULL AND decided_at < $1 ORDER BY decided_at LIMIT $2`,
    [olderThan, limit],
  );
  return rows;
}
