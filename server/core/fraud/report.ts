import type { FraudLabel, LabelQuality, QualityReport } from "../../contract/fraud";

/** Counts as the store groups them (server/db/fraud-queries.ts qualityRows). */
export interface QualityCounts {
  days: ReadonlyArray<{ day: string; decided: number; flagged: number }>;
  rules: ReadonlyArray<{ rule: string; shadow: boolean; label: FraudLabel | null; n: number }>;
  ruleDays: ReadonlyArray<{ rule: string; shadow: boolean; day: string; n: number }>;
  flaggedLabels: ReadonlyArray<{ flagged: boolean; label: FraudLabel | null; n: number }>;
}

const ratio = (a: number, b: number) => (b === 0 ? null : a / b);

function quality(hitsByLabel: Map<FraudLabel | "none", number>, labeledFraud: number): LabelQuality {
  const fraudHits = hitsByLabel.get("fraud") ?? 0;
  const labeledHits = fraudHits + (hitsByLabel.get("legitimate") ?? 0);
  const hits = labeledHits + (hitsByLabel.get("none") ?? 0);
  return {
    hits,
    labeledHits,
    fraudHits,
    labeledFraud,
    precision: ratio(fraudHits, labeledHits),
    recall: ratio(fraudHits, labeledFraud),
  };
}

/**
 * Precision, recall and flag rate from grouped counts: overall for flagged decisions, and per
 * rule (live and shadow hits apart) with a daily flag rate (hits / decisions that day).
 */
export function qualityReport(days: number, counts: QualityCounts): QualityReport {
  const decided = counts.days.reduce((s, d) => s + d.decided, 0);
  const labeledFraud = counts.flaggedLabels.filter((r) => r.label === "fraud").reduce((s, r) => s + r.n, 0);
  const flaggedByLabel = new Map<FraudLabel | "none", number>();
  for (const r of counts.flaggedLabels) if (r.flagged) flaggedByLabel.set(r.label ?? "none", r.n);
  const decidedOn = new Map(counts.days.map((d) => [d.day, d.decided]));
  const keyOf = (r: { rule: string; shadow: boolean }) => `${r.shadow ? "1" : "0"}${r.rule}`;
  const perRule = new Map<
    string,
    { rule: string; shadow: boolean; byLabel: Map<FraudLabel | "none", number> }
  >();
  for (const r of counts.rules) {
    const entry = perRule.get(keyOf(r)) ?? { rule: r.rule, shadow: r.shadow, byLabel: new Map() };
    entry.byLabel.set(r.label ?? "none", (entry.byLabel.get(r.label ?? "none") ?? 0) + r.n);
    perRule.set(keyOf(r), entry);
  }
  const rules = [...perRule.entries()]
    .map(([key, e]) => {
      const q = quality(e.byLabel, labeledFraud);
      const daily = counts.ruleDays
        .filter((d) => keyOf(d) === key)
        .map((d) => ({
          day: d.day,
          decided: decidedOn.get(d.day) ?? 0,
          hits: d.n,
          rate: ratio(d.n, decidedOn.get(d.day) ?? 0) ?? 0,
        }));
      return { rule: e.rule, shadow: e.shadow, quality: q, flagRate: ratio(q.hits, decided) ?? 0, daily };
    })
    .sort((a, b) => b.quality.hits - a.quality.hits || a.rule.localeCompare(b.rule));
  return {
    days,
    decided,
    flagged: quality(flaggedByLabel, labeledFraud),
    daily: counts.days.map((d) => ({
      day: d.day,
      decided: d.decided,
      hits: d.flagged,
      rate: ratio(d.flagged, d.decided) ?? 0,
    })),
    rules,
  };
}
