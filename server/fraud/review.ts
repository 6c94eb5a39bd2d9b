import type pg from "pg";
import type {
  FraudBacktestRequest,
  BacktestResult,
  DecisionDetail,
  DecisionPage,
  DecisionQuery,
  FraudRuleSetVersion,
  LabelRequest,
  QualityReport,
  SaveRuleSetRequest,
} from "../contract/fraud";
import { DEFAULT_RULE_SET } from "../core/fraud/default-rules";
import type { DbClients } from "../db/clients";
import { labelDecision, listRuleSets, saveRuleSet, seedRuleSet, type Actor } from "../db/fraud-rules";
import { DAY_MS } from "../core/fraud/features";
import { backtest } from "../core/fraud/quality";
import { qualityReport } from "../core/fraud/report";
import { backtestRows, decisionDetail, listDecisions, qualityRows } from "../db/fraud-queries";

/** Decisions a back-test replays at most (newest first): bounds its time and memory. */
export const BACKTEST_LIMIT = 100_000;

/** Replays a candidate rule set over the stored decisions of the last `days`, with their features. */
export async function backtestStored(
  pool: pg.Pool,
  request: FraudBacktestRequest,
  now: number,
): Promise<BacktestResult> {
  const rows = await backtestRows(pool, new Date(now - request.days * DAY_MS), BACKTEST_LIMIT);
  return backtest(
    request.ruleSet,
    rows.map((r) => ({
      subject: { card: r.card_id, customer: r.customer_id, device: r.device_id, country: r.country },
      features: r.features,
      flagged: r.decision === "flagged",
      label: r.label,
    })),
  );
}

/** Precision, recall and flag rates from the labels of the last `days`. */
export async function fraudQuality(pool: pg.Pool, days: number, now: number): Promise<QualityReport> {
  return qualityReport(days, await qualityRows(pool, new Date(now - days * DAY_MS)));
}

type Db = Pick<DbClients, "pool" | "prisma">;

/** The newest rule set (the default is stored as version 1 on first use) and recent versions. */
export async function ruleSets(
  db: Db,
): Promise<{ current: FraudRuleSetVersion | null; versions: FraudRuleSetVersion[] }> {
  await seedRuleSet(db.prisma, DEFAULT_RULE_SET);
  const versions = await listRuleSets(db.prisma, 20);
  return { current: versions[0] ?? null, versions };
}

/** Saves the next rule set version, audited; a stale `baseVersion` is a conflict. */
export const saveRules = (db: Db, actor: Actor, request: SaveRuleSetRequest) =>
  saveRuleSet(db.prisma, actor, request);

export const reviewQueue = (db: Db, query: DecisionQuery): Promise<DecisionPage> =>
  listDecisions(db.pool, query);

export const decisionFor = (db: Db, id: string): Promise<DecisionDetail | null> =>
  decisionDetail(db.pool, id);

/** Labels a decision fraud or legitimate with a note, audited; an unknown id is not_found. */
export const labelTransaction = (db: Db, actor: Actor, id: string, request: LabelRequest) =>
  labelDecision(db.prisma, actor, { id, ...request });
