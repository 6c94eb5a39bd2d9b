import type pg from "pg";
import type { MetricDefinition, ValidEvent } from "../contract";
import { summarize } from "../core/aggregate-state";
import { stateFromRow, type StoredStateColumns } from "../db/rollup-store";
import { oracleEventCounts, oracleRollups, rollupKey, type ExactRollup } from "./metric-oracle";
import { rollupMismatches, type StoredFigures } from "./oracle-compare";

/**
 * Ground truth for end-to-end tests: what the 1-minute rollups must hold for a set of unique,
 * on-time events, from the independent oracle (server/testing/metric-oracle.ts, no engine
 * code), and a comparison against the stored rows.
 */

interface RollupRow extends StoredStateColumns {
  metric: string;
  bucket: number;
  group_key: string;
}

/** The stored 1-minute rollups as `summarize` reads them, keyed by `rollupKey`. */
export async function readRollups(pool: pg.Pool): Promise<Map<string, StoredFigures>> {
  const result = await pool.query<RollupRow>(
    `SELECT metric, (extract(epoch FROM bucket_start) * 1000)::float8 AS bucket, group_key,
            count::float8 AS count, sum, min, max, quantiles, distinct_sketch
     FROM metric_rollups WHERE resolution = '1m'`,
  );
  return new Map(
    result.rows.map((row) => [
      rollupKey(row.metric, row.bucket, row.group_key),
      summarize(stateFromRow(row)),
    ]),
  );
}

/** Expected rows: every enabled definition, plus the per-type `events` rows. */
export function expectedRollups(
  definitions: readonly MetricDefinition[],
  events: readonly ValidEvent[],
): Map<string, ExactRollup> {
  return new Map([...oracleRollups(definitions, events), ...oracleEventCounts(events)]);
}

/**
 * Every difference between expected and stored rollups, as readable lines (empty when equal):
 * count, min and max exact, sums up to float rounding, percentiles within 1 % of the exact
 * rank, distinct counts exact up to 1 024 keys.
 */
export const rollupDifferences = rollupMismatches;
