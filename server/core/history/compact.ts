import { emptyState, mergeInto, type AggregateState } from "../aggregate-state";
import { bucketStart } from "../time";
import { DAY_MS, HOUR_MS } from "./cover";

/** A rollup state of one group in one UTC-aligned period. */
export interface PeriodState {
  periodStart: number;
  groupKey: string;
  state: AggregateState;
}

/**
 * Merges finer rollup states into UTC-aligned 1h or 1d periods: the same full mergeable
 * state, so a coarse row answers exactly what its finer rows would. The batch engine owns
 * compaction in production; tests and the benchmark build their coarse tiers with this.
 */
export function compactStates(rows: Iterable<PeriodState>, resolution: "1h" | "1d"): PeriodState[] {
  const size = resolution === "1h" ? HOUR_MS : DAY_MS;
  const periods = new Map<string, PeriodState>();
  for (const row of rows) {
    const periodStart = bucketStart(row.periodStart, size);
    const key = `${periodStart}\u0000${row.groupKey}`;
    let period = periods.get(key);
    if (!period) {
      period = { periodStart, groupKey: row.groupKey, state: emptyState() };
      periods.set(key, period);
    }
    mergeInto(period.state, row.state);
  }
  return [...periods.values()];
}
