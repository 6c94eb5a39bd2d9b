import type pg from "pg";
import {
  planBatch,
  type BatchCommit,
  type BatchPlan,
  type ClassifiedEvent,
  type DeadLetterRecord,
} from "../core/batch";
import type { Clock } from "../core/engine";
import { keptBytes, renderPayload } from "../core/dead-letter-payload";
import type { RollupDelta } from "../core/event-counts";
import { inTransaction } from "./clients";
import { markPeriodsDirty } from "./period-store";
import { mergeMetricDeltas, type MergedBucket } from "./rollup-store";
import { addTooLate } from "./too-late-store";

export interface BatchResult {
  /** Events stored by this batch (duplicates of stored ids excluded). */
  inserted: ClassifiedEvent[];
  batchSeq: number;
  /** Events stored by this consumer so far. */
  total: number;
  tooLateTotal: number;
  /** Rollup buckets this batch changed, as now stored. */
  buckets: MergedBucket[];
}

// New ids only: not stored, and not among the ids of raw events retention has deleted
// (retired_event_ids, a 128-bit hash per id), so a duplicate never counts twice at any distance.
const INSERT_RAW = `
INSERT INTO raw_events (id, type, ts, received_at, v, source, value, attrs, too_late)
SELECT u.* FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::timestamptz[], $5::int[], $6::text[],
                       $7::float8[], $8::jsonb[], $9::bool[]) AS u(id, type, ts, received_at, v, source, value, attrs, too_late)
WHERE NOT EXISTS (SELECT 1 FROM retired_event_ids r WHERE r.id_hash = md5(u.id)::uuid)
ON CONFLICT (id) DO NOTHING
RETURNING id`;

const UPSERT_ROLLUPS = `
INSERT INTO metric_rollups AS r (metric, resolution, bucket_start, group_key, count, sum, min, max, updated_at)
SELECT m, res, b, g, c, s, mn, mx, now()
FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::text[], $5::bigint[], $6::float8[], $7::float8[],
            $8::float8[]) AS d(m, res, b, g, c, s, mn, mx)
ON CONFLICT (metric, resolution, bucket_start, group_key) DO UPDATE SET
  count = r.count + excluded.count,
  sum = r.sum + excluded.sum,
  min = LEAST(r.min, excluded.min),
  max = GREATEST(r.max, excluded.max),
  updated_at = now()`;

const INSERT_DEAD_LETTERS = `
INSERT INTO dead_letters (source, dedup_key, subject, event_id, reasons, payload, payload_bytes, payload_size,
                          received_at)
SELECT s, k, sub, e, r, p, b, n, COALESCE(t, now())
FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::jsonb[], $6::text[], $7::bytea[], $8::int[],
            $9::timestamptz[]) AS d(s, k, sub, e, r, p, b, n, t)
ON CONFLICT (dedup_key) DO NOTHING`;

const ADVANCE_CHECKPOINT = `
INSERT INTO consumer_checkpoints AS c
  (consumer, batch_seq, stream_seq, events_total, max_event_time, too_late_total, updated_at)
VALUES ($1, 1, $2, $3, $4, $5, now())
ON CONFLICT (consumer) DO UPDATE SET
  batch_seq = c.batch_seq + 1,
  stream_seq = GREATEST(c.stream_seq, excluded.stream_seq),
  events_total = c.events_total + excluded.events_total,
  max_event_time = GREATEST(c.max_event_time, excluded.max_event_time),
  too_late_total = c.too_late_total + excluded.too_late_total,
  updated_at = now()
RETURNING batch_seq, events_total, too_late_total`;

const READ_CLOCK = `SELECT (extract(epoch FROM max_event_time) * 1000)::bigint AS max_event_time
FROM consumer_checkpoints WHERE consumer = $1`;

/** The consumer's committed event-time clock, to resume from after a restart. */
export async function readClock(pool: pg.Pool, consumer: string): Promise<Clock> {
  const result = await pool.query<{ max_event_time: number | null }>(READ_CLOCK, [consumer]);
  return { maxEventTime: result.rows[0]?.max_event_time ?? null };
}

/** The processor's set-based raw insert; returns the ids that were new. */
export async function insertRawEvents(
  client: pg.ClientBase,
  rows: readonly ClassifiedEvent[],
  receivedAt: Date,
): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const events = rows.map((r) => r.event);
  const result = await client.query<{ id: string }>(INSERT_RAW, [
    events.map((e) => e.id),
    events.map((e) => e.type),
    events.map((e) => new Date(e.ts)),
    events.map(() => receivedAt),
    events.map((e) => e.v),
    events.map((e) => e.source ?? null),
    events.map((e) => e.value ?? null),
    events.map((e) => JSON.stringify(e.attrs)),
    rows.map((r) => r.lateness === "too_late"),
  ]);
  return new Set(result.rows.map((row) => row.id));
}

async function upsertRollups(client: pg.PoolClient, deltas: RollupDelta[]): Promise<void> {
  if (deltas.length === 0) return;
  await client.query(UPSERT_ROLLUPS, [
    deltas.map((d) => d.metric),
    deltas.map((d) => d.resolution),
    deltas.map((d) => new Date(d.bucketStart)),
    deltas.map((d) => d.groupKey),
    deltas.map((d) => d.count),
    deltas.map((d) => d.sum),
    deltas.map((d) => d.min),
    deltas.map((d) => d.max),
  ]);
}

export async function insertDeadLetters(
  client: pg.PoolClient | pg.Pool,
  letters: DeadLetterRecord[],
): Promise<void> {
  if (letters.length === 0) return;
  await client.query(INSERT_DEAD_LETTERS, [
    letters.map((l) => l.source),
    letters.map((l) => l.dedupKey ?? null),
    letters.map((l) => l.subject ?? null),
    letters.map((l) => l.eventId ?? null),
    letters.map((l) => JSON.stringify(l.reasons)),
    letters.map((l) => renderPayload(keptBytes(l.payload))),
    letters.map((l) => Buffer.from(keptBytes(l.payload))),
    letters.map((l) => l.payloadSize ?? l.payload.byteLength),
    letters.map((l) => (l.receivedAt === undefined ? null : new Date(l.receivedAt))),
  ]);
}

/**
 * The plan assumed new events that were already stored (a redelivery, or an id stored by an
 * earlier batch): the transaction rolls back and the batch is planned again, outside it.
 */
class StalePlan extends Error {
  override name = "StalePlan";
  constructor(readonly stored: ClassifiedEvent[]) {
    super(`${stored.length} of the planned events were new`);
  }
}

/**
 * Commits one batch exactly once: raw events are inserted with ON CONFLICT DO NOTHING and
 * only the rows that were really inserted (and not too late) feed the rollups; dead letters
 * and the checkpoint (with the event-time clock) commit in the same transaction, so a
 * redelivered batch changes no number. Compacted periods it touches turn 'dirty' in it too.
 *
 * The engine runs before the transaction (docs/decisions/0026): the deltas are planned for
 * every event as if new, which holds unless the batch repeats stored ids. When it does, the
 * transaction rolls back and the batch is planned again for the events that were new; the
 * set only shrinks, so this ends, and a redelivered batch costs one extra raw insert.
 */
export async function commitBatch(pool: pg.Pool, batch: BatchCommit): Promise<BatchResult> {
  let plan = planBatch(batch.definitions, batch.events);
  for (;;) {
    try {
      return await inTransaction(pool, (client) => writeBatch(client, batch, plan));
    } catch (error) {
      if (!(error instanceof StalePlan)) throw error;
      plan = planBatch(batch.definitions, error.stored);
    }
  }
}

async function writeBatch(client: pg.PoolClient, batch: BatchCommit, plan: BatchPlan): Promise<BatchResult> {
  const insertedIds = await insertRawEvents(client, plan.events, new Date(batch.receivedAt));
  if (insertedIds.size !== plan.events.length)
    throw new StalePlan(plan.events.filter((row) => insertedIds.has(row.event.id)));
  await upsertRollups(client, plan.eventCounts);
  const buckets = await mergeMetricDeltas(client, plan.metricDeltas);
  // Every counted event is in an `events` row, so these minutes are all the batch touched.
  // A no-op unless one of their hours/days was already compacted (docs/decisions/0008).
  await markPeriodsDirty(
    client,
    plan.eventCounts.map((d) => d.bucketStart),
  );
  // Too-late events are stored but not counted until reconciliation folds them in; their
  // hours say so (history does not call such a range complete). After the 1m rows: lock order.
  await addTooLate(client, plan.tooLateTimes);
  await insertDeadLetters(client, batch.deadLetters);
  const checkpoint = await client.query<{
    batch_seq: number;
    events_total: number;
    too_late_total: number;
  }>(ADVANCE_CHECKPOINT, [
    batch.consumer,
    batch.streamSeq,
    plan.events.length,
    batch.clock.maxEventTime === null ? null : new Date(batch.clock.maxEventTime),
    plan.events.length - plan.counted,
  ]);
  const row = checkpoint.rows[0];
  if (!row) throw new Error("checkpoint upsert returned no row");
  return {
    inserted: [...plan.events],
    batchSeq: row.batch_seq,
    total: row.events_total,
    tooLateTotal: row.too_late_total,
    buckets,
  };
}
