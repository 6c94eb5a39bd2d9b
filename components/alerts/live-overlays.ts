import type { AlertSubject } from "../../server/contract/alerts";
import type { AlertEventView, AlertRuleSummary } from "../../server/contract/alerts-api";

export interface ChartOverlay {
  lines: Array<{ value: number; label: string; kind: "threshold" | "recovery" }>;
  bands: Array<{ from: number; to: number; label: string }>;
}

const ACTIVE = new Set(["firing", "recovering"]);

/**
 * Threshold and recovery lines and firing bands (from the transitions) of the rules a chart
 * shows: `match` says whether a rule's subject is drawn on this chart and at what scale (the
 * error-rate chart plots fractions, rules speak percent). Rules per group are left out: the
 * live charts show all groups. Pure.
 */
export function chartOverlay(
  rules: readonly AlertRuleSummary[],
  events: readonly AlertEventView[],
  match: (subject: AlertSubject) => number | null,
  from: number,
  to: number,
): ChartOverlay {
  const overlay: ChartOverlay = { lines: [], bands: [] };
  for (const rule of rules) {
    const scale = rule.groupBy === null ? match(rule.subject) : null;
    if (scale === null) continue;
    overlay.lines.push({ value: rule.threshold * scale, label: rule.name, kind: "threshold" });
    if (rule.recoveryThreshold !== null)
      overlay.lines.push({
        value: rule.recoveryThreshold * scale,
        label: `${rule.name} recovers`,
        kind: "recovery",
      });
    let start: number | null = null;
    const transitions = events
      .filter((e) => e.ruleId === rule.id && e.kind === "transition")
      .sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
    for (const e of transitions) {
      const at = Date.parse(e.at);
      if (ACTIVE.has(e.to) && !ACTIVE.has(e.from)) start = at;
      else if (!ACTIVE.has(e.to) && ACTIVE.has(e.from) && start !== null) {
        if (at > from && start < to)
          overlay.bands.push({ from: Math.max(start, from), to: Math.min(at, to), label: rule.name });
        start = null;
      }
    }
    if (start !== null && start < to)
      overlay.bands.push({ from: Math.max(start, from), to, label: rule.name });
  }
  return overlay;
}
