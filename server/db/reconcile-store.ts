import type pg from "pg";
import type { MetricDefinition, ValidEvent } from "../contract";
import { serializeState } from "../core/aggregate-state";
import { deltaKey } from "../core/engine";
import { EVENTS_METRIC } from "../core/event-counts";
import { HOUR_MS } from "../core/periods";
import { batchOracle, findDrift, type MinuteState, type RowDrift } from "../core/reconcile";
import { inTransaction } from "./clients";
import { markPeriodsDirty } from "./period-store";
import { recordRun } from "./reconcile-runs";
import { stateColumns, stateFromRow, type StoredStateColumns } from "./rollup-store";
import { setFolded } from "./too-late-store";

export interface ReconciliationResult {
  runId: number;
  hour: string;
  events: number;
  tooLateEvents: number;
  rowsCompared: number;
  rowsDrifted: number;
  /** Periods marked dirty by the repair: the caller enqueues their recompaction. */
  dirtyPeriods: { resolution: "1h" | "1d"; start: number }[];
}

interface RawRow {
  id: string;
  type: string;
  ts: number;
  v: number;
  source: string | null;
  value: number | null;
  attrs: ValidEvent["attrs"];
  too_late: boolean;
  ts_exact: Date;
}

// Keyset pages over (ts, id) so an hour of any size is folded in bounded memory.
const RAW_PAGE = `
SELECT id, type, (extract(epoch FROM ts) * 1000)::float8 AS ts, ts AS ts_exact, v, source, value, attrs, too_late
FROM raw_events WHERE ts >= $1 AND ts < $2 AND (ts, id) > ($3, $4)
ORDER BY ts, id LIMIT $5`;
const PAGE_SIZE = 5_000;

const LOCK_MINUTES = `
SELECT metric, (extract(epoch FROM bucket_start) * 1000)::float8 AS bucket, group_key,
       count, sum, min, max, quantiles, distinct_sketch
FROM metric_rollups
WHERE resolution = '1m' AND bucket_start >= $1 AND bucket_start < $2 AND metric = ANY($3::text[])
ORDER BY metric, bucket_start, group_key
FOR UPDATE`;

// Sets the state to the recomputed one (never adds), so a repeated repair changes nothing.
const REPAIR_ROWS = `
INSERT INTO metric_rollups AS r
  (metric, resolution, bucket_start, group_key, count, sum, min, max, quantiles, distinct_sketch, revisions, updated_at)
SELECT m, '1m', b, g, c, s, mn, mx, q, d, 1, now()
FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::bigint[], $5::float8[], $6::float8[], $7::float8[],
            $8::bytea[], $9::bytea[]) AS u(m, b, g, c, s, mn, mx, q, d)
ON CONFLICT (metric, resolution, bucket_start, group_key) DO UPDATE SET
  count = excluded.count, sum = excluded.sum, min = excluded.min, max = excluded.max,
  quantiles = excluded.quantiles, distinct_sketch = excluded.distinct_sketch,
  revisions = r.revisions + 1, updated_at = now()`;

const DELETE_ROWS = `
DELETE FROM metric_rollups r USING unnest($1::text[], $2::timestamptz[], $3::text[]) AS k(m, b, g)
WHERE r.metric = k.m AND r.resolution = '1m' AND r.bucket_start = k.b AND r.group_key = k.g`;

const toEvent = (row: RawRow): ValidEvent => ({
  id: row.id,
  type: row.type,
  ts: row.ts,
  v: row.v,
  attrs: row.attrs,
  ...(row.source === null ? {} : { source: row.source }),
  ...(row.value === null ? {} : { value: row.value }),
});

/** Folds every raw event of [from, to) into an oracle; returns it with the event counts. */
async function foldRawEvents(
  client: pg.ClientBase,
  from: Date,
  to: Date,
  definitions: readonly MetricDefinition[],
  pageSize: number,
): Promise<{ oracle: Map<string, MinuteState>; events: number; tooLate: number }> {
  const oracle = new Map<string, MinuteState>();
  let events = 0;
  let tooLate = 0;
  let after: { ts: Date; id: string } = { ts: new Date(from.getTime() - 1), id: "" };
  for (;;) {
    const page = await client.query<RawRow>(RAW_PAGE, [from, to, after.ts, after.id, pageSize]);
    batchOracle(definitions, page.rows.map(toEvent), oracle);
    events += page.rows.length;
    tooLate += page.rows.filter((r) => r.too_late).length;
    const last = page.rows.at(-1);
    if (!last || page.rows.length < pageSize) return { oracle, events, tooLate };
    after = { ts: last.ts_exact, id: last.id };
  }
}

async function repair(client: pg.ClientBase, drift: readonly RowDrift[]): Promise<void> {
  const upserts = drift.flatMap((d) => (d.batch ? [{ ...d, batch: d.batch }] : []));
  const removals = drift.filter((d) => d.batch === null);
  if (upserts.length > 0) {
    const states = upserts.map((d) => serializeState(d.batch));
    await client.query(REPAIR_ROWS, [
      upserts.map((d) => d.metric),
      upserts.map((d) => new Date(d.bucketStart)),
      upserts.map((d) => d.groupKey),
      ...stateColumns(states),
    ]);
  }
  if (removals.length > 0)
    await client.query(DELETE_ROWS, [
      removals.map((d) => d.metric),
      removals.map((d) => new Date(d.bucketStart)),
      removals.map((d) => d.groupKey),
    ]);
}

/**
 * Reconciles one closed hour in one transaction: recomputes its 1-minute rows from every raw
 * event (too-late ones included) with the processor's engine, compares them with the
 * streamed rows (locked), records the drift per metric, sets drifted rows to the recomputed
 * state, and marks the hour and day dirty when anything changed.
 */
export async function reconcileHour(
  pool: pg.Pool,
  hourStart: number,
  definitions: readonly MetricDefinition[],
  context: { now: number; jobId?: string; pageSize?: number },
): Promise<ReconciliationResult> {
  const hour = new Date(hourStart);
  const end = new Date(hourStart + HOUR_MS);
  const enabled = definitions.filter((d) => d.enabled);
  const metrics = new Set([...enabled.map((d) => d.name), EVENTS_METRIC]);
  return inTransaction(pool, async (client) => {
    // Rows first (locks), then the raw events: a too-late event committed after this read is
    // counted in a later snapshot, and its hour's stored count then exceeds folded (too_late_hours).
    const locked = await client.query<
      StoredStateColumns & { metric: string; bucket: number; group_key: string }
    >(LOCK_MINUTES, [hour, end, [...metrics]]);
    const raw = await foldRawEvents(client, hour, end, enabled, context.pageSize ?? PAGE_SIZE);
    const streamed = new Map<string, MinuteState>(
      locked.rows.map((row) => [
        deltaKey(row.metric, row.bucket, row.group_key),
        { metric: row.metric, bucketStart: row.bucket, groupKey: row.group_key, state: stateFromRow(row) },
      ]),
    );
    const { oracle } = raw;
    const drift = findDrift(oracle, streamed, metrics);
    await repair(client, drift);
    const dirty = drift.length > 0 ? await markPeriodsDirty(client, [hourStart]) : [];
    const tooLate = raw.tooLate;
    const compared = new Set([...oracle.keys(), ...streamed.keys()]).size;
    const runId = await recordRun(
      client,
      {
        hour,
        jobId: context.jobId ?? null,
        now: new Date(context.now),
        events: raw.events,
        tooLate,
        compared,
      },
      drift,
    );
    await setFolded(client, hour, tooLate);
    return {
      runId,
      hour: hour.toISOString(),
      events: raw.events,
      tooLateEvents: tooLate,
      rowsCompared: compared,
      rowsDrifted: drift.length,
      dirtyPeriods: dirty,
    };
  });
}
