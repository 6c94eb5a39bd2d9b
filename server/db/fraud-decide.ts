import type pg from "pg";
import { FRAUD_WINDOW_NAMES as WINDOWS, type FraudWindow } from "../contract/fraud";
import {
  foldBatch,
  type DayWrite,
  type FirstCountry,
  type FoldedMember,
  type StoredView,
} from "../core/fraud/batch";
import {
  dayStart,
  historyStartDay,
  windowStart,
  type FeatureInputs,
  type WindowSums,
} from "../core/fraud/features";
import { inTransaction } from "./clients";
import { findDecisions, type DecisionSubject, type NewDecision, type StoredDecision } from "./fraud-store";

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

/** The entities a batch touches, as sorted lock keys (one fixed order: no deadlocks). */
export function entityLockKeys(txs: readonly DecisionSubject[]): number[] {
  const keys = new Set<number>();
  for (const tx of txs) {
    keys.add(lockKey(`card:${tx.card}`));
    keys.add(lockKey(`customer:${tx.customer}`));
    if (tx.device) keys.add(lockKey(`device:${tx.device}`));
  }
  return [...keys].sort((a, b) => a - b);
}

/** Reads one rule set version's stored JSON on the decision's own connection. */
export type LoadRules = (version: number) => Promise<unknown>;

/**
 * How the caller turns a member's inputs into its decision. A rule set it has not cached is
 * read with `loadRules` on the transaction's connection: asking the pool for another one while
 * holding this one could starve the pool (every connection waiting for a second).
 */
export type Decide = (
  inputs: FeatureInputs,
  rulesVersion: number | null,
  loadRules: LoadRules,
) => Promise<NewDecision> | NewDecision;

export interface BatchItem {
  tx: DecisionSubject;
  decide: Decide;
}

export type BatchResult = { decision: StoredDecision; created: boolean };

const sums = (entity: "card" | "customer" | "device", column: string) => `(SELECT json_build_object(
    ${WINDOWS.map(
      (w) =>
        `'c${w}', count(*) FILTER (WHERE d.ts > s.start_${w}), 'a${w}', coalesce(sum(d.amount) FILTER (WHERE d.ts > s.start_${w}), 0)`,
    ).join(",\n    ")}${
      entity === "card"
        ? `,
    'countries', coalesce(array_agg(DISTINCT d.country) FILTER (WHERE d.country IS NOT NULL), '{}'),
    'devices', coalesce(array_agg(DISTINCT d.device_id) FILTER (WHERE d.device_id IS NOT NULL), '{}')`
        : ""
    })
  FROM fraud_decisions d WHERE d.${column} = s.${entity} AND d.ts > s.start_24h AND d.ts <= s.ts)`;

/**
 * Everything committed before the batch that its members' features need, one row per member
 * (`ord` = its place in the batch): windows are `(ts − W, ts]` by event time. The tie-break of
 * the first country is the "C" collation, which the pure fold reproduces.
 */
const STORED_VIEWS = `SELECT s.ord::int AS ord,
  ${sums("card", "card_id")} AS card,
  ${sums("customer", "customer_id")} AS customer,
  CASE WHEN s.device IS NULL THEN NULL ELSE ${sums("device", "device_id")} END AS device,
  CASE WHEN s.device IS NULL THEN NULL
       ELSE EXISTS (SELECT 1 FROM fraud_decisions d WHERE d.customer_id = s.customer AND d.device_id = s.device)
  END AS device_seen,
  (SELECT c.home_country FROM customers c WHERE c.id = s.customer) AS enriched_home,
  (SELECT json_build_object('ts', (extract(epoch FROM d.ts) * 1000)::float8, 'id', d.id, 'country', d.country)
     FROM fraud_decisions d WHERE d.customer_id = s.customer AND d.country IS NOT NULL
     ORDER BY d.ts, d.id COLLATE "C" LIMIT 1) AS first_country,
  (SELECT m.category FROM merchants m WHERE m.id = s.merchant) AS merchant_category,
  (SELECT coalesce(json_agg(json_build_object('day', f.day, 'count', f.count, 'sum', f.sum,
     'sumSquares', f.sum_squares, 'min', f.min, 'max', f.max, 'quantiles', encode(f.quantiles, 'base64'))), '[]')
   FROM fraud_customer_days f WHERE f.customer_id = s.customer AND f.day BETWEEN s.first_day AND s.last_day) AS days,
  (SELECT max(version) FROM fraud_rule_sets) AS rules_version,
  EXISTS (SELECT 1 FROM fraud_decisions d WHERE d.id = s.id) AS known
FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[], $7::date[], $8::date[],
  ${WINDOWS.map((_, i) => `$${9 + i}::timestamptz[]`).join(", ")})
  WITH ORDINALITY AS s(id, ts, card, customer, device, merchant, first_day, last_day,
  ${WINDOWS.map((w) => `start_${w}`).join(", ")}, ord)
ORDER BY s.ord`;

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
type ViewRow = {
  ord: number;
  card: Sums;
  customer: Sums;
  device: Sums | null;
  device_seen: boolean | null;
  enriched_home: string | null;
  first_country: FirstCountry | null;
  merchant_category: string | null;
  days: DayJson[];
  rules_version: number | null;
  known: boolean;
};

const windowsOf = (s: Sums): Record<FraudWindow, WindowSums> => {
  const out = {} as Record<FraudWindow, WindowSums>;
  for (const w of WINDOWS) out[w] = { count: Number(s[`c${w}`]), amount: Number(s[`a${w}`]) };
  return out;
};

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

const toView = (row: ViewRow): StoredView => ({
  known: row.known,
  velocity: {
    card: windowsOf(row.card),
    customer: windowsOf(row.customer),
    ...(row.device ? { device: windowsOf(row.device) } : {}),
  },
  cardCountries24h: row.card.countries ?? [],
  cardDevices24h: row.card.devices ?? [],
  deviceSeenBefore: row.device_seen,
  enrichedHome: row.enriched_home,
  firstCountry: row.first_country,
  merchantCategory: row.merchant_category,
  days: row.days.map((d) => ({
    day: Date.parse(`${d.day}T00:00:00Z`),
    state: {
      state: {
        count: Number(d.count),
        sum: d.sum,
        min: d.min,
        max: d.max,
        quantiles: d.quantiles ? Buffer.from(d.quantiles, "base64") : null,
        distinct: null,
      },
      sumSquares: d.sumSquares,
    },
  })),
});

async function readViews(client: pg.PoolClient, txs: readonly DecisionSubject[]) {
  // Named: prepared once per connection, so the plan is not made again for every batch.
  const { rows } = await client.query<ViewRow>({ name: "nowcast-fraud-views", text: STORED_VIEWS }, [
    txs.map((t) => t.id),
    txs.map((t) => new Date(t.ts)),
    txs.map((t) => t.card),
    txs.map((t) => t.customer),
    txs.map((t) => t.device),
    txs.map((t) => t.merchant),
    txs.map((t) => isoDay(historyStartDay(t.ts))),
    txs.map((t) => isoDay(dayStart(t.ts))),
    ...WINDOWS.map((w) => txs.map((t) => new Date(windowStart(t.ts, w)))),
  ]);
  if (rows.length !== txs.length)
    throw new Error(`feature query returned ${rows.length} rows for ${txs.length}`);
  return { views: rows.map(toView), rulesVersion: rows[0]?.rules_version ?? null };
}

/**
 * The new decisions, their outbox entries and the customer days after them, in one statement. The days are written
 * only if every decision was inserted: a conflict means another transaction decided one of the
 * ids meanwhile (a repeat of the id with other entities, so other locks), and the batch is
 * rolled back and read again.
 */
const INSERT_BATCH = `WITH ins AS (
  INSERT INTO fraud_decisions (id, ts, card_id, customer_id, device_id, country, merchant, amount, decision, score,
    reasons, hits, shadow_hits, features, rules_version, decided_at, latency_ms, event)
  SELECT r.id, r.ts, r.card_id, r.customer_id, r.device_id, r.country, r.merchant, r.amount, r.decision, r.score,
    r.reasons, ARRAY(SELECT jsonb_array_elements_text(r.hits)), ARRAY(SELECT jsonb_array_elements_text(r.shadow_hits)),
    r.features, r.rules_version, r.decided_at, r.latency_ms, r.event
  FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
    $8::float8[], $9::text[], $10::int[], $11::jsonb[], $12::jsonb[], $13::jsonb[], $14::jsonb[], $15::int[],
    $16::timestamptz[], $17::float8[], $18::jsonb[])
    AS r(id, ts, card_id, customer_id, device_id, country, merchant, amount, decision, score, reasons, hits,
    shadow_hits, features, rules_version, decided_at, latency_ms, event)
  ON CONFLICT (id) DO NOTHING RETURNING id, decided_at
), outbox AS (
  INSERT INTO fraud_outbox (id, decided_at) SELECT id, decided_at FROM ins RETURNING 1
), inserted AS (SELECT count(*)::int AS n FROM ins), day AS (
  INSERT INTO fraud_customer_days (customer_id, day, count, sum, sum_squares, min, max, quantiles)
  SELECT f.customer_id, f.day, f.count, f.sum, f.sum_squares, f.min, f.max, decode(f.quantiles, 'base64')
  FROM unnest($19::text[], $20::date[], $21::bigint[], $22::float8[], $23::float8[], $24::float8[], $25::float8[],
    $26::text[]) AS f(customer_id, day, count, sum, sum_squares, min, max, quantiles)
  WHERE (SELECT n FROM inserted) = cardinality($1::text[])
  ON CONFLICT (customer_id, day) DO UPDATE SET count = EXCLUDED.count, sum = EXCLUDED.sum,
    sum_squares = EXCLUDED.sum_squares, min = EXCLUDED.min, max = EXCLUDED.max, quantiles = EXCLUDED.quantiles
  RETURNING 1
)
SELECT n AS inserted FROM inserted`;

class DecidedMeanwhile extends Error {}

/** A bound on the re-reads after conflicts; each one means another transaction decided an id. */
const MAX_ATTEMPTS = 5;

/**
 * Decides a batch of transactions in one transaction, as if one after another in batch order:
 * the advisory locks of every card, customer and device of the batch (sorted, in one statement),
 * so any decision sharing an entity with the batch — on any web instance — runs before or after
 * it, never beside it; one statement reads what committed before (READ COMMITTED); the pure
 * fold (server/core/fraud/batch.ts) adds the batch's earlier members; one statement stores the
 * decisions and the customers' day rollups. An id already decided, or repeated in the batch,
 * gets the stored (or first) decision with `created: false`.
 */
export async function decideBatch(pool: pg.Pool, items: readonly BatchItem[]): Promise<BatchResult[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await decideOnce(pool, items);
    } catch (error) {
      if (!(error instanceof DecidedMeanwhile) || attempt >= MAX_ATTEMPTS) throw error;
    }
  }
}

type Fresh = { d: NewDecision; tx: DecisionSubject };

/** Inserts the group's new decisions and writes its customer days; false if an id was taken meanwhile. */
async function insertBatch(client: pg.PoolClient, fresh: readonly Fresh[], days: readonly DayWrite[]) {
  const { rows } = await client.query<{ inserted: number }>(
    { name: "nowcast-fraud-insert", text: INSERT_BATCH },
    [
      fresh.map((f) => f.tx.id),
      fresh.map((f) => new Date(f.tx.ts)),
      fresh.map((f) => f.tx.card),
      fresh.map((f) => f.tx.customer),
      fresh.map((f) => f.tx.device),
      fresh.map((f) => f.tx.country),
      fresh.map((f) => f.tx.merchant),
      fresh.map((f) => f.tx.amount),
      fresh.map((f) => f.d.decision),
      fresh.map((f) => f.d.score),
      fresh.map((f) => JSON.stringify(f.d.reasons)),
      fresh.map((f) => JSON.stringify(f.d.hits)),
      fresh.map((f) => JSON.stringify(f.d.shadowHits)),
      fresh.map((f) => JSON.stringify(f.d.features)),
      fresh.map((f) => f.d.rulesVersion),
      fresh.map((f) => f.d.decidedAt),
      fresh.map((f) => f.d.latencyMs),
      fresh.map((f) => JSON.stringify(f.d.event)),
      days.map((d) => d.customer),
      days.map((d) => isoDay(d.day)),
      days.map((d) => d.state.state.count),
      days.map((d) => d.state.state.sum),
      days.map((d) => d.state.sumSquares),
      days.map((d) => d.state.state.min),
      days.map((d) => d.state.state.max),
      days.map((d) =>
        d.state.state.quantiles ? Buffer.from(d.state.state.quantiles).toString("base64") : null,
      ),
    ],
  );
  return (rows[0]?.inserted ?? 0) === fresh.length;
}

/** A rule set version read on the group's own connection (see `Decide`). */
const rulesOn =
  (client: pg.PoolClient): LoadRules =>
  async (version) => {
    const { rows } = await client.query<{ rules: unknown }>(
      `SELECT rules FROM fraud_rule_sets WHERE version = $1`,
      [version],
    );
    if (!rows[0]) throw new Error(`fraud rule set version ${version} is not stored`);
    return rows[0].rules;
  };

/** One answer per member: its new decision, the stored one, or the first of its id in the group. */
function answers(
  txs: readonly DecisionSubject[],
  members: readonly FoldedMember[],
  made: ReadonlyArray<NewDecision | null>,
  stored: ReadonlyMap<string, StoredDecision>,
): BatchResult[] {
  const results: BatchResult[] = [];
  for (const [i, member] of members.entries()) {
    const tx = txs[i] as DecisionSubject;
    const d = made[i];
    if (member.kind === "duplicate") {
      results.push({ decision: (results[member.of] as BatchResult).decision, created: false });
    } else if (d) {
      const { hits: _h, shadowHits: _s, latencyMs: _l, ...decision } = d;
      results.push({ decision: { ...decision, id: tx.id, published: false }, created: true });
    } else {
      const earlier = stored.get(tx.id);
      if (!earlier) throw new Error(`decision ${tx.id} is neither new nor stored`);
      results.push({ decision: earlier, created: false });
    }
  }
  return results;
}

async function decideOnce(pool: pg.Pool, items: readonly BatchItem[]): Promise<BatchResult[]> {
  const txs = items.map((i) => i.tx);
  // BEGIN and the locks in one round trip (no parameters: the keys are integers computed here).
  const locks = entityLockKeys(txs)
    .map((k) => `pg_advisory_xact_lock(${FEATURE_LOCK_CLASS}, ${k})`)
    .join(", ");
  return inTransaction(
    pool,
    async (client) => {
      const { views, rulesVersion } = await readViews(client, txs);
      const folded = foldBatch(txs, views);
      const load = rulesOn(client);
      const made: Array<NewDecision | null> = [];
      for (const [i, member] of folded.members.entries())
        made.push(
          member.kind === "decide"
            ? await (items[i] as BatchItem).decide(member.inputs, rulesVersion, load)
            : null,
        );
      const fresh = made.flatMap((d, i) => (d ? [{ d, tx: txs[i] as DecisionSubject }] : []));
      if (fresh.length > 0 && !(await insertBatch(client, fresh, folded.days)))
        throw new DecidedMeanwhile("an id was decided meanwhile");
      const known = txs.filter((_, i) => folded.members[i]?.kind === "known").map((t) => t.id);
      const stored =
        known.length > 0 ? await findDecisions(client, known) : new Map<string, StoredDecision>();
      return answers(txs, folded.members, made, stored);
    },
    `BEGIN; SELECT ${locks}`,
  );
}
