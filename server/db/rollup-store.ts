import type pg from "pg";
import {
  deserializeState,
  mergeInto,
  serializeState,
  type AggregateState,
  type SerializedState,
} from "../core/aggregate-state";
import { deltaKey, type MetricDelta } from "../core/engine";

/** A 1-minute rollup row after a commit merged a delta into it. */
export interface MergedBucket {
  metric: string;
  bucketStart: number;
  groupKey: string;
  state: AggregateState;
  revisions: number;
}

const RESOLUTION = "1m";

// Rows are created first (empty), then locked and read, merged in memory, and written back:
// sketches cannot be merged in SQL, and creating rows first means two writers of a new row
// serialize on it instead of one overwriting the other.
const ENSURE_ROWS = `
INSERT INTO metric_rollups (metric, resolution, bucket_start, group_key)
SELECT m, '${RESOLUTION}', b, g FROM unnest($1::text[], $2::timestamptz[], $3::text[]) AS k(m, b, g)
ON CONFLICT DO NOTHING`;

const LOCK_ROWS = `
SELECT r.metric, (extract(epoch FROM r.bucket_start) * 1000)::bigint AS bucket, r.group_key,
       r.count, r.sum, r.min, r.max, r.quantiles, r.distinct_sketch, r.revisions
FROM metric_rollups r
JOIN unnest($1::text[], $2::timestamptz[], $3::text[]) AS k(m, b, g)
  ON r.metric = k.m AND r.resolution = '${RESOLUTION}' AND r.bucket_start = k.b AND r.group_key = k.g
ORDER BY r.metric, r.bucket_start, r.group_key
FOR UPDATE OF r`;

const WRITE_ROWS = `
UPDATE metric_rollups r SET count = u.c, sum = u.s, min = u.mn, max = u.mx, quantiles = u.q,
  distinct_sketch = u.d, revisions = r.revisions + u.rv, updated_at = now()
FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::bigint[], $5::float8[], $6::float8[], $7::float8[],
            $8::bytea[], $9::bytea[], $10::int[]) AS u(m, b, g, c, s, mn, mx, q, d, rv)
WHERE r.metric = u.m AND r.resolution = '${RESOLUTION}' AND r.bucket_start = u.b AND r.group_key = u.g`;

interface LockedRow extends StoredStateColumns {
  metric: string;
  bucket: number;
  group_key: string;
  revisions: number;
}

/** The columns of a stored rollup that hold its state. */
export interface StoredStateColumns {
  count: number;
  sum: number;
  min: number | null;
  max: number | null;
  quantiles: Buffer | null;
  distinct_sketch: Buffer | null;
}

/**
 * The state columns of `metric_rollups` as parallel arrays, in column order (count, sum, min,
 * max, quantiles, distinct_sketch), for the set-based writes that unnest them.
 */
export function stateColumns(states: readonly SerializedState[]): unknown[][] {
  return [
    states.map((s) => s.count),
    states.map((s) => s.sum),
    states.map((s) => s.min),
    states.map((s) => s.max),
    states.map((s) => (s.quantiles ? Buffer.from(s.quantiles) : null)),
    states.map((s) => (s.distinct ? Buffer.from(s.distinct) : null)),
  ];
}

/** Decodes the state of a `metric_rollups` row. */
export function stateFromRow(row: StoredStateColumns): AggregateState {
  const { count, sum, min, max, quantiles, distinct_sketch: distinct } = row;
  return deserializeState({ count, sum, min, max, quantiles, distinct });
}

/** Merges deltas into the stored 1-minute rollups inside the caller's transaction. */
export async function mergeMetricDeltas(
  client: pg.PoolClient,
  deltas: readonly MetricDelta[],
): Promise<MergedBucket[]> {
  if (deltas.length === 0) return [];
  const keys = [
    deltas.map((d) => d.metric),
    deltas.map((d) => new Date(d.bucketStart)),
    deltas.map((d) => d.groupKey),
  ];
  await client.query(ENSURE_ROWS, keys);
  const locked = await client.query<LockedRow>(LOCK_ROWS, keys);
  const stored = new Map(locked.rows.map((row) => [deltaKey(row.metric, row.bucket, row.group_key), row]));

  const merged: MergedBucket[] = deltas.map((delta) => {
    const row = stored.get(deltaKey(delta.metric, delta.bucketStart, delta.groupKey));
    if (!row) throw new Error(`rollup row ${delta.metric}@${delta.bucketStart}/${delta.groupKey} vanished`);
    const state = stateFromRow(row);
    mergeInto(state, delta.state);
    return {
      metric: delta.metric,
      bucketStart: delta.bucketStart,
      groupKey: delta.groupKey,
      state,
      revisions: row.revisions + (delta.revised ? 1 : 0),
    };
  });

  const rows = merged.map((bucket) => serializeState(bucket.state));
  await client.query(WRITE_ROWS, [...keys, ...stateColumns(rows), deltas.map((d) => (d.revised ? 1 : 0))]);
  return merged;
}
