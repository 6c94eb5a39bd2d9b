import type { AlertRuleSpec, AlertState, BucketState, ComparisonOp } from "../../contract";
import type { WindowSample } from "./window";

/** The evaluator's memory of one instance (rule × group); stored in alert_instances. */
export interface InstanceState {
  state: AlertState;
  /** When the current state was entered. */
  since: number;
  /** While pending: when the breach began. */
  pendingSince: number | null;
  /** While recovering: start of the current run of clear evaluations. */
  clearSince: number | null;
  /** The last `m` window positions and whether each breached (N of M). */
  recent: Array<{ position: number; breach: boolean }>;
  /** The value at each of the last TRAIL_LENGTH window positions (the sparkline of /alerts). */
  trail: Array<{ t: number; v: number | null }>;
  /** The newest window position evaluated (older ones are ignored). */
  newestPosition: number | null;
  value: number | null;
  /** Error reason while in `error`. */
  reason: string | null;
}

/** One state change, as stored in alert_events. */
export interface Transition {
  from: AlertState;
  to: AlertState;
  at: number;
  value: number | null;
  threshold: number | null;
  position: number | null;
  buckets: Array<{ start: number; state: BucketState }>;
  reason: string | null;
}

export type EvaluationInput = { kind: "sample"; sample: WindowSample } | { kind: "error"; reason: string };

export const initialInstance = (now: number): InstanceState => ({
  state: "normal",
  since: now,
  pendingSince: null,
  clearSince: null,
  recent: [],
  trail: [],
  newestPosition: null,
  value: null,
  reason: null,
});

export function compare(op: ComparisonOp, value: number, threshold: number): boolean {
  switch (op) {
    case ">":
      return value > threshold;
    case ">=":
      return value >= threshold;
    case "<":
      return value < threshold;
    case "<=":
      return value <= threshold;
  }
}

/** Breach: the condition holds. Clear: past the recovery threshold (hysteresis). Null never breaches. */
export function classify(rule: AlertRuleSpec, value: number | null): { breach: boolean; clear: boolean } {
  if (value === null) return { breach: false, clear: true };
  const { op, threshold } = rule.condition;
  return {
    breach: compare(op, value, threshold),
    clear: !compare(op, value, rule.recoveryThreshold ?? threshold),
  };
}

const CONDITION_STATES: ReadonlySet<AlertState> = new Set(["normal", "pending", "firing", "recovering"]);

type Special = "no_data" | "insufficient_data";

function special(rule: AlertRuleSpec, sample: WindowSample, now: number): Special | null {
  if (rule.noDataMs !== null && (sample.lastDataAt === null || now - sample.lastDataAt >= rule.noDataMs))
    return "no_data";
  if (sample.volume < rule.minVolume) return "insufficient_data";
  return null;
}

export const TRAIL_LENGTH = 30;

function withTrail(trail: InstanceState["trail"], t: number, v: number | null) {
  const kept = trail.at(-1)?.t === t ? trail.slice(0, -1) : trail.slice();
  kept.push({ t, v });
  return kept.slice(-TRAIL_LENGTH);
}

function withPosition(recent: InstanceState["recent"], position: number, breach: boolean, m: number) {
  const kept = recent.filter((r) => r.position !== position);
  kept.push({ position, breach });
  return kept.slice(-m);
}

/** The next condition state from normal/pending/firing/recovering; no clock reads (`now` given). */
function nextConditionState(
  rule: AlertRuleSpec,
  prev: InstanceState,
  verdict: { met: boolean; breach: boolean; clear: boolean },
  now: number,
): Pick<InstanceState, "state" | "pendingSince" | "clearSince"> {
  const { met, breach, clear } = verdict;
  const base = CONDITION_STATES.has(prev.state) ? prev.state : "normal";
  switch (base) {
    case "normal":
      if (!met) return { state: "normal", pendingSince: null, clearSince: null };
      return rule.pendingMs === 0
        ? { state: "firing", pendingSince: null, clearSince: null }
        : { state: "pending", pendingSince: now, clearSince: null };
    case "pending": {
      if (!met) return { state: "normal", pendingSince: null, clearSince: null };
      const since = prev.pendingSince ?? now;
      if (now - since >= rule.pendingMs) return { state: "firing", pendingSince: null, clearSince: null };
      return { state: "pending", pendingSince: since, clearSince: null };
    }
    case "firing":
      if (!clear) return { state: "firing", pendingSince: null, clearSince: null };
      return rule.keepFiringMs === 0
        ? { state: "normal", pendingSince: null, clearSince: null }
        : { state: "recovering", pendingSince: null, clearSince: now };
    default: {
      // Back to firing only on a fresh breach: old breaches still in N of M must not flap it.
      if (met && breach) return { state: "firing", pendingSince: null, clearSince: null };
      if (!clear) return { state: "recovering", pendingSince: null, clearSince: null };
      const since = prev.clearSince ?? now;
      if (now - since >= rule.keepFiringMs) return { state: "normal", pendingSince: null, clearSince: null };
      return { state: "recovering", pendingSince: null, clearSince: since };
    }
  }
}

function thresholdFor(rule: AlertRuleSpec, from: AlertState, to: AlertState): number | null {
  if (rule.subject.kind !== "data_age" && to === "insufficient_data") return rule.minVolume;
  const leaving = (from === "firing" || from === "recovering") && (to === "recovering" || to === "normal");
  return leaving ? (rule.recoveryThreshold ?? rule.condition.threshold) : rule.condition.threshold;
}

/**
 * One evaluation of one instance: (rule, state, window sample, now) → (state, transitions).
 * Pure. At most one transition per evaluation. An evaluation of an older window position than
 * the newest one seen changes nothing (a late revision cannot rewind the state).
 */
export function evaluate(
  rule: AlertRuleSpec,
  prev: InstanceState,
  input: EvaluationInput,
  now: number,
): { state: InstanceState; transitions: Transition[] } {
  let next: InstanceState;
  let sample: WindowSample | null = null;
  if (input.kind === "error") {
    next = {
      ...initialInstance(now),
      state: "error",
      reason: input.reason,
      newestPosition: prev.newestPosition,
    };
  } else {
    sample = input.sample;
    if (prev.newestPosition !== null && sample.position < prev.newestPosition)
      return { state: prev, transitions: [] };
    // An open (still filling) window below the minimum volume is not judged yet: holding
    // avoids an insufficient_data blip at the start of every bucket on an `open` rule.
    if (sample.volume < rule.minVolume && sample.buckets.at(-1)?.state === "open")
      return { state: prev, transitions: [] };
    const newestPosition = sample.position;
    // Older memories (before trails existed) have none.
    const trail = withTrail(prev.trail ?? [], sample.position, sample.value);
    const kind = special(rule, sample, now);
    // A gap in usable data starts N of M afresh.
    if (kind) next = { ...initialInstance(now), state: kind, value: sample.value, newestPosition, trail };
    else {
      const { breach, clear } = classify(rule, sample.value);
      const recent = withPosition(prev.recent, sample.position, breach, rule.nOfM.m);
      const met = recent.filter((r) => r.breach).length >= rule.nOfM.n;
      const cond = nextConditionState(rule, prev, { met, breach, clear }, now);
      next = { ...prev, ...cond, recent, trail, newestPosition, value: sample.value, reason: null };
    }
  }
  if (next.state === prev.state) return { state: { ...next, since: prev.since }, transitions: [] };
  const transition: Transition = {
    from: prev.state,
    to: next.state,
    at: now,
    value: next.value,
    threshold: thresholdFor(rule, prev.state, next.state),
    position: sample?.position ?? null,
    buckets: sample?.buckets ?? [],
    reason: next.reason,
  };
  return { state: { ...next, since: now }, transitions: [transition] };
}
