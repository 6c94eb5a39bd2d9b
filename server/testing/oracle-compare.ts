import type { ExactRollup } from "./metric-oracle";

/**
 * Compares stored rollups with the exact rows of the oracle (server/testing/metric-oracle.ts)
 * within the accuracy the README promises ("Numbers and their accuracy").
 */

/** The stored figures of one row, as `summarize` reads them (server/core/aggregate-state.ts). */
export interface StoredFigures {
  count: number;
  sum: number;
  avg: number | null;
  min: number | null;
  max: number | null;
  p50: number | null;
  p90: number | null;
  p95: number | null;
  p99: number | null;
  distinct: number;
}

/** Distinct counts are exact up to this many keys, HyperLogLog within 2 % above (decision 0017). */
const EXACT_DISTINCT_KEYS = 1024;

/** DDSketch's rank (docs: README "Numbers and their accuracy"): sorted[floor(q·(n−1))]. */
const exactRank = (sorted: readonly number[], q: number) => sorted[Math.floor(q * (sorted.length - 1))];

/** Within 1 % relative error, or below the sketch's smallest magnitude (read as 0). */
const withinOnePercent = (got: number, want: number) =>
  Math.abs(got - want) <= 0.0100001 * Math.abs(want) + 1e-9;

/** Every way `got` differs from the exact row, as text (empty when it agrees). */
export function figureMismatches(want: ExactRollup, got: StoredFigures): string[] {
  const wrong: string[] = [];
  const { values } = want;
  const n = values.length;
  if (got.count !== want.count) wrong.push(`count ${got.count} ≠ ${want.count}`);
  const sum = values.reduce((a, b) => a + b, 0);
  const scale = values.reduce((a, b) => a + Math.abs(b), 0);
  if (Math.abs(got.sum - sum) > 1e-9 * Math.max(1, scale)) wrong.push(`sum ${got.sum} ≠ ${sum}`);
  const min = values[0] ?? null;
  const max = values[n - 1] ?? null;
  if (got.min !== min) wrong.push(`min ${got.min} ≠ ${min}`);
  if (got.max !== max) wrong.push(`max ${got.max} ≠ ${max}`);
  if (!want.sketched) return wrong;
  if (
    n === 0
      ? got.avg !== null
      : got.avg === null || Math.abs(got.avg - sum / n) > 1e-9 * Math.max(1, scale / n)
  )
    wrong.push(`avg ${got.avg} ≠ ${n === 0 ? null : sum / n}`);
  for (const [q, p] of [
    [0.5, got.p50],
    [0.9, got.p90],
    [0.95, got.p95],
    [0.99, got.p99],
  ] as const) {
    const exact = exactRank(values, q);
    if (exact === undefined ? p !== null : p === null || !withinOnePercent(p, exact))
      wrong.push(`p${q * 100} ${p} not within 1 % of ${exact ?? null}`);
  }
  const keys = want.distinctKeys.size;
  const distinctOk =
    keys <= EXACT_DISTINCT_KEYS ? got.distinct === keys : Math.abs(got.distinct / keys - 1) <= 0.02;
  if (!distinctOk) wrong.push(`distinct ${got.distinct} ≠ ${keys}`);
  return wrong;
}

/** Every difference between the exact rows and the stored ones (keyed by `rollupKey`). */
export function rollupMismatches(
  expected: ReadonlyMap<string, ExactRollup>,
  actual: ReadonlyMap<string, StoredFigures>,
): string[] {
  const differences: string[] = [];
  for (const key of actual.keys()) if (!expected.has(key)) differences.push(`unexpected row ${key}`);
  for (const [key, want] of expected) {
    const got = actual.get(key);
    if (!got) differences.push(`missing row ${key}`);
    else {
      const wrong = figureMismatches(want, got);
      if (wrong.length > 0) differences.push(`${key}: ${wrong.join(", ")}`);
    }
  }
  return differences;
}
