// A brute-force reference of alert evaluation, written apart from server/core/alerting: it
// keeps the whole history of evaluations and, at every step, derives N of M, the pending start
// and the clear run by scanning that history, instead of carrying them in compact state.
import type { AlertRuleSpec, AlertState, ComparisonOp } from "../contract";
import type { WindowSample } from "../core/alerting/window";

export type RefInput = { now: number; sample: WindowSample } | { now: number; error: string };

export interface RefTransition {
  from: AlertState;
  to: AlertState;
  at: number;
}

const holds = (op: ComparisonOp, v: number, t: number) =>
  op === ">" ? v > t : op === ">=" ? v >= t : op === "<" ? v < t : v <= t;

interface Row {
  now: number;
  kind: "error" | "no_data" | "insufficient_data" | "value";
  position: number | null;
  breach: boolean;
  clear: boolean;
  state: AlertState;
}

function kindOf(rule: AlertRuleSpec, input: RefInput): Row["kind"] {
  if ("error" in input) return "error";
  const s = input.sample;
  if (rule.noDataMs !== null && (s.lastDataAt === null || input.now - s.lastDataAt >= rule.noDataMs))
    return "no_data";
  return s.volume < rule.minVolume ? "insufficient_data" : "value";
}

/** N of M at row i: the last m distinct positions since the last non-value row, latest verdict each. */
function met(rule: AlertRuleSpec, rows: Row[]): boolean {
  const verdict = new Map<number, boolean>();
  for (let j = rows.length - 1; j >= 0; j--) {
    const row = rows[j];
    if (!row || row.kind !== "value") break;
    if (row.position !== null && !verdict.has(row.position)) verdict.set(row.position, row.breach);
  }
  const positions = [...verdict.keys()].sort((a, b) => b - a).slice(0, rule.nOfM.m);
  return positions.filter((p) => verdict.get(p)).length >= rule.nOfM.n;
}

/** When the current run of `state` began (the row that entered it), scanning back. */
function enteredAt(rows: Row[], state: AlertState): number {
  let at = rows.at(-1)?.now ?? 0;
  for (let j = rows.length - 1; j >= 0 && rows[j]?.state === state; j--) at = rows[j]?.now ?? at;
  return at;
}

/** Start of the run of clear rows that ends at the last row, within recovering. */
function clearRunStart(rows: Row[]): number {
  let at = rows.at(-1)?.now ?? 0;
  for (let j = rows.length - 1; j >= 0; j--) {
    const row = rows[j];
    if (!row || !row.clear || row.kind !== "value") break;
    at = row.now;
    if (row.state !== "recovering") break;
  }
  return at;
}

function decide(rule: AlertRuleSpec, rows: Row[], prevState: AlertState): AlertState {
  const row = rows.at(-1);
  if (!row) return prevState;
  if (row.kind !== "value") return row.kind;
  const isMet = met(rule, rows);
  const base = ["normal", "pending", "firing", "recovering"].includes(prevState) ? prevState : "normal";
  if (base === "normal") return isMet ? (rule.pendingMs === 0 ? "firing" : "pending") : "normal";
  if (base === "pending") {
    if (!isMet) return "normal";
    const since = enteredAt(rows.slice(0, -1), "pending");
    return row.now - since >= rule.pendingMs ? "firing" : "pending";
  }
  if (base === "firing") return row.clear ? (rule.keepFiringMs === 0 ? "normal" : "recovering") : "firing";
  if (isMet && row.breach) return "firing";
  if (!row.clear) return "recovering";
  return row.now - clearRunStart(rows) >= rule.keepFiringMs ? "normal" : "recovering";
}

/** The transitions of a rule's instance over a sequence of evaluations, starting `normal`. */
export function referenceTransitions(rule: AlertRuleSpec, inputs: readonly RefInput[]): RefTransition[] {
  const rows: Row[] = [];
  const out: RefTransition[] = [];
  let state: AlertState = "normal";
  let newest: number | null = null;
  for (const input of inputs) {
    const position = "sample" in input ? input.sample.position : null;
    if (position !== null && newest !== null && position < newest) continue;
    // A window still filling (its last bucket open) below the minimum volume is not judged.
    if (
      "sample" in input &&
      input.sample.volume < rule.minVolume &&
      input.sample.buckets.at(-1)?.state === "open"
    )
      continue;
    if (position !== null) newest = position;
    const value = "sample" in input ? input.sample.value : null;
    const { op, threshold } = rule.condition;
    const row: Row = {
      now: input.now,
      kind: kindOf(rule, input),
      position,
      breach: value !== null && holds(op, value, threshold),
      clear: value === null || !holds(op, value, rule.recoveryThreshold ?? threshold),
      state,
    };
    rows.push(row);
    const next = decide(rule, rows, state);
    row.state = next;
    if (next !== state) out.push({ from: state, to: next, at: input.now });
    state = next;
  }
  return out;
}
