import { emptyState, mergeInto, type AggregateState } from "./aggregate-state";

/** One stored rollup row of the finer tier (any metric and group in the period). */
export interface RollupState {
  metric: string;
  groupKey: string;
  state: AggregateState;
  revisions: number;
}

/**
 * Merges the finer rows of one period into one row per (metric, group): the full state
 * (count, sum, min, max, DDSketch, HLL) via `mergeInto`, so a coarse percentile or distinct
 * count is the one of the union, never an average. Revisions add up. Sorted by key so
 * writers lock rows in one order and a re-run produces the same rows.
 */
export function compactStates(rows: readonly RollupState[]): RollupState[] {
  const merged = new Map<string, RollupState>();
  for (const row of rows) {
    const key = `${row.metric}\u0000${row.groupKey}`;
    let target = merged.get(key);
    if (!target) {
      target = { metric: row.metric, groupKey: row.groupKey, state: emptyState(), revisions: 0 };
      merged.set(key, target);
    }
    mergeInto(target.state, row.state);
    target.revisions += row.revisions;
  }
  return [...merged.values()].sort(
    (a, b) => a.metric.localeCompare(b.metric) || a.groupKey.localeCompare(b.groupKey),
  );
}
