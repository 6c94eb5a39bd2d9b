import {
  DEAD_LETTERS_SERIES,
  type AlertRuleSpec,
  type MetricDefinition,
  type MetricStatistic,
} from "../../contract";

/** Why a rule cannot be evaluated, naming the field (`subject.metric: no metric "x"`). */
export interface RuleIssue {
  field: string;
  message: string;
}

function subjectMetrics(rule: AlertRuleSpec): Array<{ path: string; ref: MetricStatistic }> {
  const { subject } = rule;
  if (subject.kind === "metric") return [{ path: "subject", ref: subject }];
  if (subject.kind === "ratio")
    return [
      { path: "subject.numerator", ref: subject.numerator },
      { path: "subject.denominator", ref: subject.denominator },
    ];
  return [];
}

/**
 * Checks a rule against the metric definitions it refers to: each must exist (and, with
 * `requireEnabled`, be enabled); a ratio's two metrics must group alike; `groupBy` must be the
 * metric's own group-by attr. The first problem per field; empty when evaluable.
 */
export function checkRule(
  rule: AlertRuleSpec,
  definitions: ReadonlyMap<string, MetricDefinition>,
  requireEnabled = true,
): RuleIssue[] {
  const issues: RuleIssue[] = [];
  const found: MetricDefinition[] = [];
  for (const { path, ref } of subjectMetrics(rule)) {
    const def = definitions.get(ref.metric);
    if (!def) issues.push({ field: `${path}.metric`, message: `no metric named "${ref.metric}"` });
    else if (requireEnabled && !def.enabled)
      issues.push({ field: `${path}.metric`, message: `metric "${ref.metric}" is disabled` });
    if (def) found.push(def);
  }
  const [first, second] = found;
  if (first && second && first.groupBy !== second.groupBy)
    issues.push({
      field: "subject.denominator.metric",
      message: `ratio of metrics grouped differently: ${first.name} by ${first.groupBy ?? "nothing"}, ${second.name} by ${second.groupBy ?? "nothing"}`,
    });
  if (rule.groupBy !== null) {
    if (rule.subject.kind === "data_age" || rule.subject.kind === "dead_letters")
      issues.push({ field: "groupBy", message: `${rule.subject.kind.replace("_", " ")} has no groups` });
    else if (first && first.groupBy !== rule.groupBy)
      issues.push({
        field: "groupBy",
        message: `metric ${first.name} groups by ${first.groupBy ?? "nothing"}, not ${rule.groupBy}`,
      });
  }
  return issues;
}

/** The metrics a rule reads (for subscribing and loading). */
export function ruleMetrics(rule: AlertRuleSpec): string[] {
  if (rule.subject.kind === "dead_letters") return [DEAD_LETTERS_SERIES];
  return [...new Set(subjectMetrics(rule).map((m) => m.ref.metric))];
}
