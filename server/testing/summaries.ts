import type { Summary } from "../contract";

/** The display figures of a bucket that only counted events (no values, no distinct keys). */
export function countOnlySummary(count: number): Summary {
  return {
    count,
    sum: 0,
    avg: null,
    min: null,
    max: null,
    p50: null,
    p90: null,
    p95: null,
    p99: null,
    distinct: 0,
  };
}
