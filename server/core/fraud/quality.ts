import type {
  BacktestResult,
  FraudFeatures,
  FraudLabel,
  FraudRuleSet,
  LabelQuality,
} from "../../contract/fraud";
import { scoreTransaction, type FraudSubject } from "./score";

/** One judged prediction: whether the rule (or rule set) would flag it, and the analyst's label. */
export interface Prediction {
  hit: boolean;
  label: FraudLabel | null;
}

/**
 * Precision = labelled fraud among labelled hits; recall = hits among labelled fraud. Unlabelled
 * transactions count only in `hits` (for flag rates); null where the denominator is zero.
 */
export function labelQuality(predictions: Iterable<Prediction>): LabelQuality {
  let hits = 0;
  let labeledHits = 0;
  let fraudHits = 0;
  let labeledFraud = 0;
  for (const p of predictions) {
    if (p.hit) hits += 1;
    if (p.label === null) continue;
    if (p.hit) labeledHits += 1;
    if (p.label === "fraud") {
      labeledFraud += 1;
      if (p.hit) fraudHits += 1;
    }
  }
  return {
    hits,
    labeledHits,
    fraudHits,
    labeledFraud,
    precision: labeledHits === 0 ? null : fraudHits / labeledHits,
    recall: labeledFraud === 0 ? null : fraudHits / labeledFraud,
  };
}

/** A stored decision as the back-test sees it: who, the features it had, what was decided. */
export interface StoredDecision {
  subject: FraudSubject;
  features: FraudFeatures;
  flagged: boolean;
  label: FraudLabel | null;
}

/**
 * Replays a candidate rule set over stored decisions with the features they had when decided:
 * how many it would flag, its precision/recall against the labels, and each rule's (live or
 * shadow) on its own.
 */
export function backtest(set: FraudRuleSet, rows: readonly StoredDecision[]): BacktestResult {
  const overall: Prediction[] = [];
  const perRule = new Map<string, { shadow: boolean; predictions: Prediction[] }>();
  for (const rule of set.rules) perRule.set(rule.id, { shadow: rule.shadow, predictions: [] });
  let currentlyFlagged = 0;
  let labeled = 0;
  for (const row of rows) {
    const verdict = scoreTransaction(set, row.subject, row.features);
    overall.push({ hit: verdict.decision === "flagged", label: row.label });
    const hit = new Set(verdict.hits.map((h) => h.rule));
    for (const [id, entry] of perRule) entry.predictions.push({ hit: hit.has(id), label: row.label });
    if (row.flagged) currentlyFlagged += 1;
    if (row.label !== null) labeled += 1;
  }
  const quality = labelQuality(overall);
  return {
    evaluated: rows.length,
    wouldFlag: quality.hits,
    currentlyFlagged,
    labeled,
    quality,
    rules: [...perRule].map(([rule, e]) => ({
      rule,
      shadow: e.shadow,
      quality: labelQuality(e.predictions),
    })),
  };
}
