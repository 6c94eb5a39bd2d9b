import type {
  FraudCondition,
  FraudDecisionOutcome,
  FraudFeatures,
  FraudListEntry,
  FraudListKind,
  FraudReason,
  FraudRule,
  FraudRuleSet,
} from "../../contract/fraud";

/** Who a transaction is: what allow and block lists match against. */
export interface FraudSubject {
  card: string;
  customer: string;
  device: string | null;
  country: string | null;
}

/** A rule or list entry that matched; shadow hits are logged but never decide. */
export interface RuleHit {
  rule: string;
  shadow: boolean;
  detail: string;
}

export interface FraudVerdict {
  decision: FraudDecisionOutcome;
  score: number;
  /** The live hits that made the decision, in evaluation order. */
  reasons: FraudReason[];
  /** Every hit, live and shadow: what per-rule precision and recall are computed from. */
  hits: RuleHit[];
}

const OPS = { gt: ">", gte: "≥", lt: "<", lte: "≤" } as const;

const show = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(2));

/**
 * Whether one condition holds, and how to say so. A null feature never matches, nor a missing
 * one (`== null`): stored decisions from before a feature existed are back-tested safely.
 */
export function conditionHolds(c: FraudCondition, f: FraudFeatures): string | null {
  switch (c.op) {
    case "gt":
    case "gte":
    case "lt":
    case "lte": {
      const v = f[c.feature];
      if (v == null) return null;
      const holds =
        c.op === "gt"
          ? v > c.value
          : c.op === "gte"
            ? v >= c.value
            : c.op === "lt"
              ? v < c.value
              : v <= c.value;
      return holds ? `${c.feature} ${show(v)} ${OPS[c.op]} ${show(c.value)}` : null;
    }
    case "is": {
      const v = f[c.feature];
      return v != null && v === c.value ? `${c.feature} is ${String(v)}` : null;
    }
    case "in":
    case "not_in": {
      const v = f[c.feature];
      if (v == null) return null;
      const listed = c.value.includes(v);
      return listed === (c.op === "in") ? `${c.feature} ${v} ${c.op === "in" ? "in" : "not in"} list` : null;
    }
  }
}

/** The rule's detail when every condition holds, else null. */
export function ruleMatches(rule: FraudRule, features: FraudFeatures): string | null {
  const parts: string[] = [];
  for (const condition of rule.when) {
    const detail = conditionHolds(condition, features);
    if (detail === null) return null;
    parts.push(detail);
  }
  return parts.join(" and ");
}

const subjectValue = (subject: FraudSubject, kind: FraudListKind): string | null =>
  kind === "card"
    ? subject.card
    : kind === "customer"
      ? subject.customer
      : kind === "device"
        ? subject.device
        : subject.country;

function listHits(list: readonly FraudListEntry[], name: string, subject: FraudSubject): RuleHit[] {
  const hits: RuleHit[] = [];
  for (const entry of list) {
    if (subjectValue(subject, entry.kind) !== entry.value) continue;
    const note = entry.note ? ` (${entry.note})` : "";
    hits.push({
      rule: `${name}:${entry.kind}`,
      shadow: entry.shadow,
      detail: `${entry.kind} ${entry.value}${note}`,
    });
  }
  return hits;
}

const reason = (hit: RuleHit): FraudReason => ({ rule: hit.rule, detail: hit.detail });

/**
 * Scores one transaction: allow list (approved, 0), then block list (flagged, 100), then the
 * score rules in order; a rule with a direct action decides and stops the live rules after it.
 * Shadow entries and rules are always evaluated and returned in `hits`, never decide.
 */
export function scoreTransaction(
  set: FraudRuleSet,
  subject: FraudSubject,
  features: FraudFeatures,
): FraudVerdict {
  const hits: RuleHit[] = [];
  const reasons: FraudReason[] = [];
  let decided: { decision: FraudDecisionOutcome; score: number } | null = null;
  for (const [list, name, decision, score] of [
    [set.allow, "allow", "approved", 0],
    [set.block, "block", "flagged", 100],
  ] as const) {
    for (const hit of listHits(list, name, subject)) {
      hits.push(hit);
      if (hit.shadow || decided) continue;
      decided = { decision, score };
      reasons.push(reason(hit));
    }
  }
  let points = 0;
  for (const rule of set.rules) {
    const detail = ruleMatches(rule, features);
    if (detail === null) continue;
    const hit = { rule: rule.id, shadow: rule.shadow, detail };
    hits.push(hit);
    if (rule.shadow || decided) continue;
    reasons.push(
      reason(rule.effect.kind === "score" ? { ...hit, detail: `${detail} (+${rule.effect.points})` } : hit),
    );
    if (rule.effect.kind === "score") points += rule.effect.points;
    else
      decided =
        rule.effect.kind === "flag"
          ? { decision: "flagged", score: 100 }
          : { decision: "approved", score: 0 };
  }
  if (decided) return { ...decided, reasons, hits };
  const score = Math.min(100, points);
  return { decision: score >= set.flagThreshold ? "flagged" : "approved", score, reasons, hits };
}
