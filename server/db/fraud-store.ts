import type pg from "pg";
import type { FraudFeatures, FraudReason } from "../contract/fraud";
import type { ScoredTransaction } from "../core/fraud/features";

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

const DECISION_COLUMNS = `id, decision, score, reasons, features, rules_version, decided_at, event,
  NOT EXISTS (SELECT 1 FROM fraud_outbox o WHERE o.id = fraud_decisions.id) AS published`;

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
  return (await findDecisions(db, [id])).get(id) ?? null;
}

/** The stored decisions of `ids`, by id (ids not decided are absent). */
export async function findDecisions(
  db: pg.Pool | pg.PoolClient,
  ids: readonly string[],
): Promise<Map<string, StoredDecision>> {
  const { rows } = await db.query<DecisionRow>(
    `SELECT ${DECISION_COLUMNS} FROM fraud_decisions WHERE id = ANY($1::text[])`,
    [ids],
  );
  return new Map(rows.map((r) => [r.id, toDecision(r)]));
}

/** Records that JetStream has the decided transaction (the outbox entry is done). */
export async function markPublished(pool: pg.Pool, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await pool.query(`DELETE FROM fraud_outbox WHERE id = ANY($1::text[])`, [ids]);
}

/** Decided transactions JetStream may not have yet (a crash between commit and publish). */
export async function unpublishedDecisions(
  pool: pg.Pool,
  olderThan: Date,
  limit: number,
): Promise<Array<{ id: string; event: Record<string, unknown> }>> {
  const { rows } = await pool.query<{ id: string; event: Record<string, unknown> }>(
    `SELECT d.id, d.event FROM fraud_outbox o JOIN fraud_decisions d ON d.id = o.id
     WHERE o.decided_at < $1 ORDER BY o.decided_at LIMIT $2`,
    [olderThan, limit],
  );
  return rows;
}
