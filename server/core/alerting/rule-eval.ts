import {
  BUCKET_MS,
  DEAD_LETTERS_SERIES,
  OTHER_GROUP,
  type AlertRuleSpec,
  type AlertState,
} from "../../contract";
import { evaluate, initialInstance, type InstanceState, type Transition } from "./evaluate";
import { ruleMetrics } from "./rule-check";
import { sampleWindow, windowPosition, type SampleSources } from "./window";

export interface GroupTransition {
  group: string;
  transition: Transition;
}

export interface RuleEvaluation {
  instances: Map<string, InstanceState>;
  transitions: GroupTransition[];
  /** Groups over `maxGroups` left unevaluated (reported, never silently dropped). */
  overflow: string[];
}

/** The metric whose events decide volume, groups and no-data (the denominator of a ratio). */
export function dataMetric(rule: AlertRuleSpec): string | null {
  if (rule.subject.kind === "metric") return rule.subject.metric;
  if (rule.subject.kind === "ratio") return rule.subject.denominator.metric;
  if (rule.subject.kind === "dead_letters") return DEAD_LETTERS_SERIES;
  return null;
}

function newestStart(rule: AlertRuleSpec, src: SampleSources): number | null {
  let newest: number | null = null;
  for (const metric of ruleMetrics(rule))
    for (const start of src.series.get(metric)?.get("")?.keys() ?? [])
      if (newest === null || start > newest) newest = start;
  return newest;
}

/** The instances to evaluate: groups seen or already known, the busiest first, capped. */
function chooseGroups(
  rule: AlertRuleSpec,
  src: SampleSources,
  known: ReadonlyMap<string, InstanceState>,
  end: number,
): { groups: string[]; overflow: string[] } {
  if (rule.groupBy === null) return { groups: [""], overflow: [] };
  const metric = dataMetric(rule);
  const series = metric === null ? undefined : src.series.get(metric);
  const from = end - rule.windowMs + BUCKET_MS[rule.bucket];
  // Groups seen only outside the window still count (with 0) so their instances can clear.
  const volume = new Map<string, number>();
  const bucketMs = BUCKET_MS[rule.bucket];
  for (const [group, byStart] of series ?? []) {
    if (group === "" || group === OTHER_GROUP) continue;
    let n = 0;
    for (let start = from; start <= end; start += bucketMs) n += byStart.get(start)?.summary.count ?? 0;
    volume.set(group, n);
  }
  for (const group of known.keys()) if (!volume.has(group)) volume.set(group, 0);
  const allowed = rule.groups.length > 0 ? new Set(rule.groups) : null;
  const ranked = [...volume]
    .filter(([group]) => !allowed || allowed.has(group))
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([group]) => group);
  return { groups: ranked.slice(0, rule.maxGroups), overflow: ranked.slice(rule.maxGroups) };
}

/**
 * Evaluates every instance of a rule at `now`: (rule, instance states, window sources, now) →
 * (states, transitions). `error` (e.g. its metric was disabled) puts every instance in `error`.
 */
export function evaluateRule(
  rule: AlertRuleSpec,
  known: ReadonlyMap<string, InstanceState>,
  src: SampleSources,
  now: number,
  error: string | null = null,
): RuleEvaluation {
  const instances = new Map(known);
  const transitions: GroupTransition[] = [];
  const step = (group: string, input: Parameters<typeof evaluate>[2]) => {
    const result = evaluate(rule, instances.get(group) ?? initialInstance(now), input, now);
    instances.set(group, result.state);
    for (const transition of result.transitions) transitions.push({ group, transition });
  };
  if (error !== null) {
    for (const group of known.size > 0 ? known.keys() : [""]) step(group, { kind: "error", reason: error });
    return { instances, transitions, overflow: [] };
  }
  // Data age and dead letters are not event buckets: an open rule looks at the current
  // (wall-clock) window, a final one (the back-test) at the last one the watermark passed.
  const clockBased = rule.subject.kind === "data_age" || rule.subject.kind === "dead_letters";
  const end =
    clockBased && rule.basis === "open"
      ? Math.floor(now / BUCKET_MS[rule.bucket]) * BUCKET_MS[rule.bucket]
      : windowPosition(rule, newestStart(rule, src), src.watermark);
  if (end === null) return { instances, transitions, overflow: [] };
  const { groups, overflow } = chooseGroups(rule, src, known, end);
  for (const group of groups)
    step(group, { kind: "sample", sample: sampleWindow(rule, src, group, end, now) });
  return { instances, transitions, overflow };
}

/**
 * Transitions that notify: firing, resolved, no data, error. Pending and recovering do not, nor
 * recovering → firing (the same incident, still unresolved).
 */
export function notifies(from: AlertState, to: AlertState): boolean {
  if (to === "firing") return from !== "recovering";
  if (to === "no_data" || to === "error") return true;
  return to === "normal" && (from === "firing" || from === "recovering");
}
