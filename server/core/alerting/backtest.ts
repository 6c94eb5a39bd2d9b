import { BUCKET_MS, type AlertRuleSpec } from "../../contract";
import type { InstanceState } from "./evaluate";
import { evaluateRule, notifies, type GroupTransition } from "./rule-eval";
import type { MetricSeries, SampleSources } from "./window";

export interface BacktestBand {
  group: string;
  from: number;
  /** End of the firing (or recovering) span; null if still firing at the end of the range. */
  to: number | null;
}

export interface BacktestResult {
  fired: number;
  notifications: number;
  firingMs: number;
  bands: BacktestBand[];
  transitions: GroupTransition[];
  /** The rule's value per window position (all groups, or the busiest instance's). */
  points: Array<{ t: number; group: string; value: number | null }>;
  overflow: string[];
}

const ACTIVE = new Set(["firing", "recovering"]);

/**
 * Replays stored buckets through the same evaluator as the stream: one evaluation per window
 * position from `from` to `to`, each as if the watermark had just passed it (`final`), at the
 * bucket's end. Repeats while firing count as notifications every `repeatIntervalMs`.
 */
export function backtest(
  rule: AlertRuleSpec,
  series: ReadonlyMap<string, MetricSeries>,
  from: number,
  to: number,
): BacktestResult {
  const bucketMs = BUCKET_MS[rule.bucket];
  const finalRule: AlertRuleSpec = { ...rule, basis: "final" };
  let instances = new Map<string, InstanceState>();
  const result: BacktestResult = {
    fired: 0,
    notifications: 0,
    firingMs: 0,
    bands: [],
    transitions: [],
    points: [],
    overflow: [],
  };
  const open = new Map<string, BacktestBand>();
  const lastNotified = new Map<string, number>();
  const overflow = new Set<string>();
  for (let start = Math.ceil(from / bucketMs) * bucketMs; start + bucketMs <= to; start += bucketMs) {
    const now = start + bucketMs;
    const src: SampleSources = { series, watermark: now };
    const evaluation = evaluateRule(finalRule, instances, src, now);
    instances = evaluation.instances;
    evaluation.overflow.forEach((g) => overflow.add(g));
    for (const gt of evaluation.transitions) {
      const { group, transition: t } = gt;
      result.transitions.push(gt);
      if (t.to === "firing" && !ACTIVE.has(t.from)) {
        result.fired++;
        const band = { group, from: t.at, to: null };
        open.set(group, band);
        result.bands.push(band);
      }
      if (!ACTIVE.has(t.to) && ACTIVE.has(t.from)) {
        const band = open.get(group);
        if (band) band.to = t.at;
        open.delete(group);
      }
      if (notifies(t.from, t.to)) {
        result.notifications++;
        lastNotified.set(group, t.at);
      }
    }
    for (const [group, state] of instances) {
      if (ACTIVE.has(state.state)) {
        const last = lastNotified.get(group);
        if (state.state === "firing" && last !== undefined && now - last >= rule.repeatIntervalMs) {
          result.notifications++;
          lastNotified.set(group, now);
        }
      }
      result.points.push({ t: start, group, value: state.value });
    }
  }
  result.overflow = [...overflow];
  result.firingMs = result.bands.reduce((ms, b) => ms + ((b.to ?? to) - b.from), 0);
  // The chart shows one instance: the one that fired most (all groups when ungrouped).
  const shown = busiestGroup(result.bands) ?? result.points[0]?.group ?? "";
  result.points = result.points.filter((p) => p.group === shown);
  return result;
}

function busiestGroup(bands: readonly BacktestBand[]): string | null {
  const counts = new Map<string, number>();
  for (const b of bands) counts.set(b.group, (counts.get(b.group) ?? 0) + 1);
  let best: string | null = null;
  for (const [group, n] of counts) if (best === null || n > (counts.get(best) ?? 0)) best = group;
  return best;
}
