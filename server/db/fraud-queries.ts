import type pg from "pg";
import type {
  DecisionQuery,
  DecisionSummary,
  FraudFeatures,
  FraudLabel,
  FraudReason,
} from "../contract/fraud";

const SUMMARY_COLUMNS = `f.id, f.ts, f.card_id, f.customer_id, f.device_id, f.country, f.merchant, f.amount, f.decision,
  f.score, f.reasons, f.shadow_hits, f.rules_version, f.decided_at, l.label, l.note AS label_note, l.labeled_by`;

type SummaryRow = {
  id: string;
  ts: Date;
  card_id: string;
  customer_id: string;
  device_id: string | null;
  country: string | null;
  merchant: string;
  amount: number;
  decision: "approved" | "flagged";
  score: number;
  reasons: FraudReason[];
  shadow_hits: string[];
  rules_version: number;
  decided_at: Date;
  label: FraudLabel | null;
  label_note: string | null;
  labeled_by: string | null;
};

const toSummary = (r: SummaryRow): DecisionSummary => ({
  id: r.id,
  ts: r.ts.toISOString(),
  cardId: r.card_id,
  customerId: r.customer_id,
  deviceId: r.device_id,
  country: r.country,
  merchant: r.merchant,
  amount: r.amount,
  decision: r.decision,
  score: r.score,
  reasons: r.reasons,
  shadowHits: r.shadow_hits,
  rulesVersion: r.rules_version,
  decidedAt: r.decided_at.toISOString(),
  label: r.label,
  labelNote: r.label_note,
  labeledBy: r.labeled_by,
});

/** Decisions newest first with the query's filters; the cursor is `<decided_at ms>:<id>`. */
export async function listDecisions(
  pool: pg.Pool,
  query: DecisionQuery,
): Promise<{ decisions: DecisionSummary[]; nextBefore: string | null }> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, ...values: unknown[]) => {
    let next = 0;
    where.push(sql.replace(/\?/g, () => `$${params.push(values[next++])}`));
  };
  if (query.decision !== "all") add("f.decision = ?", query.decision);
  if (query.label === "unlabeled") where.push("l.label IS NULL");
  else if (query.label !== "any") add("l.label = ?", query.label);
  if (query.rule) add("(? = ANY(f.hits) OR ? = ANY(f.shadow_hits))", query.rule, query.rule);
  if (query.q)
    add(
      "(f.id = ? OR f.card_id = ? OR f.customer_id = ? OR f.device_id = ?)",
      query.q,
      query.q,
      query.q,
      query.q,
    );
  if (query.before) {
    const [ms, ...rest] = query.before.split(":");
    add("(f.decided_at, f.id) < (?, ?)", new Date(Number(ms)), rest.join(":"));
  }
  const sql = `SELECT ${SUMMARY_COLUMNS} FROM fraud_decisions f LEFT JOIN fraud_labels l ON l.decision_id = f.id
    ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY f.decided_at DESC, f.id DESC LIMIT $${params.push(query.limit + 1)}`;
  const { rows } = await pool.query<SummaryRow>(sql, params);
  const page = rows.slice(0, query.limit).map(toSummary);
  const last = rows.length > query.limit ? rows[query.limit - 1] : undefined;
  return { decisions: page, nextBefore: last ? `${last.decided_at.getTime()}:${last.id}` : null };
}

/** One decision, its features, and the customer's 20 most recent other transactions. */
export async function decisionDetail(pool: pg.Pool, id: string) {
  const { rows } = await pool.query<SummaryRow & { features: FraudFeatures }>(
    `SELECT ${SUMMARY_COLUMNS}, f.features FROM fraud_decisions f LEFT JOIN fraud_labels l ON l.decision_id = f.id WHERE f.id = $1`,
    [id],
  );
  const row = rows[0];
  if (!row) return null;
  const history = await pool.query<SummaryRow>(
    `SELECT ${SUMMARY_COLUMNS} FROM fraud_decisions f LEFT JOIN fraud_labels l ON l.decision_id = f.id
     WHERE f.customer_id = $1 AND f.id <> $2 ORDER BY f.ts DESC LIMIT 20`,
    [row.customer_id, id],
  );
  return { decision: toSummary(row), features: row.features, customerHistory: history.rows.map(toSummary) };
}

export interface BacktestRow {
  card_id: string;
  customer_id: string;
  device_id: string | null;
  country: string | null;
  features: FraudFeatures;
  decision: "approved" | "flagged";
  label: FraudLabel | null;
}

/** Stored decisions of the last `days` (newest first, at most `limit`) with their features and labels. */
export async function backtestRows(pool: pg.Pool, since: Date, limit: number): Promise<BacktestRow[]> {
  const { rows } = await pool.query<BacktestRow>(
    `SELECT f.card_id, f.customer_id, f.device_id, f.country, f.features, f.decision, l.label
     FROM fraud_decisions f LEFT JOIN fraud_labels l ON l.decision_id = f.id
     WHERE f.decided_at >= $1 ORDER BY f.decided_at DESC LIMIT $2`,
    [since, limit],
  );
  return rows;
}

export interface QualityRows {
  /** Per UTC day: decisions, flagged ones, and per label. */
  days: Array<{ day: string; decided: number; flagged: number }>;
  /** Per rule hit (live or shadow) and label, over the whole range. */
  rules: Array<{ rule: string; shadow: boolean; label: FraudLabel | null; n: number }>;
  /** Per rule hit and UTC day. */
  ruleDays: Array<{ rule: string; shadow: boolean; day: string; n: number }>;
  /** Flagged decisions per label (null: unlabelled). */
  flaggedLabels: Array<{ flagged: boolean; label: FraudLabel | null; n: number }>;
}

/** The counts the quality report is computed from (server/fraud/review.ts), since `since`. */
export async function qualityRows(pool: pg.Pool, since: Date): Promise<QualityRows> {
  const hits = `SELECT f.id, to_char(f.decided_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, h.rule, h.shadow, l.label
    FROM fraud_decisions f LEFT JOIN fraud_labels l ON l.decision_id = f.id,
    LATERAL (SELECT unnest(f.hits) AS rule, false AS shadow UNION ALL SELECT unnest(f.shadow_hits), true) h
    WHERE f.decided_at >= $1`;
  const [days, rules, ruleDays, flaggedLabels] = await Promise.all([
    pool.query(
      `SELECT to_char(decided_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, count(*)::int AS decided,
       count(*) FILTER (WHERE decision = 'flagged')::int AS flagged FROM fraud_decisions WHERE decided_at >= $1 GROUP BY 1 ORDER BY 1`,
      [since],
    ),
    pool.query(`SELECT rule, shadow, label, count(*)::int AS n FROM (${hits}) x GROUP BY 1, 2, 3`, [since]),
    pool.query(`SELECT rule, shadow, day, count(*)::int AS n FROM (${hits}) x GROUP BY 1, 2, 3 ORDER BY 3`, [
      since,
    ]),
    pool.query(
      `SELECT f.decision = 'flagged' AS flagged, l.label, count(*)::int AS n FROM fraud_decisions f
       LEFT JOIN fraud_labels l ON l.decision_id = f.id WHERE f.decided_at >= $1 GROUP BY 1, 2`,
      [since],
    ),
  ]);
  return { days: days.rows, rules: rules.rows, ruleDays: ruleDays.rows, flaggedLabels: flaggedLabels.rows };
}
