import type pg from "pg";
import type { Reason, ValidEvent } from "../contract";
import { dedupeById, eventCountDeltas, type RollupDelta } from "../core/event-counts";
import { inTransaction } from "./clients";

/** A rejected input as stored in dead_letters. */
export interface DeadLetterRecord {
  source: "http" | "nats";
  /** Unique per input where one exists (NATS: "<stream>:<seq>") so redelivery stores it once. */
  dedupKey?: string;
  subject?: string;
  eventId?: string;
  reasons: Reason[];
  payload: string;
}

/** Everything one processor batch changes, committed atomically. */
export interface BatchCommit {
  consumer: string;
  /** Highest stream sequence in the batch. */
  streamSeq: number;
  events: ValidEvent[];
  deadLetters: DeadLetterRecord[];
  receivedAt: number;
}

export interface BatchResult {
  /** Events stored by this batch (duplicates of stored ids excluded). */
  inserted: ValidEvent[];
  batchSeq: number;
  /** Events stored by this consumer so far. */
  total: number;
}

const INSERT_RAW = `
INSERT INTO raw_events (id, type, ts, received_at, v, source, value, attrs)
SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::timestamptz[], $5::int[], $6::text[],
                     $7::float8[], $8::jsonb[])
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
INSERT INTO dead_letters (source, dedup_key, subject, event_id, reasons, payload)
SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::jsonb[], $6::text[])
ON CONFLICT (dedup_key) DO NOTHING`;

const ADVANCE_CHECKPOINT = `
INSERT INTO consumer_checkpoints AS c (consumer, batch_seq, stream_seq, events_total, updated_at)
VALUES ($1, 1, $2, $3, now())
ON CONFLICT (consumer) DO UPDATE SET
  batch_seq = c.batch_seq + 1,
  stream_seq = GREATEST(c.stream_seq, excluded.stream_seq),
  events_total = c.events_total + excluded.events_total,
  updated_at = now()
RETURNING batch_seq, events_total`;

async function insertRaw(
  client: pg.PoolClient,
  events: ValidEvent[],
  receivedAt: Date,
): Promise<Set<string>> {
  if (events.length === 0) return new Set();
  const result = await client.query<{ id: string }>(INSERT_RAW, [
    events.map((e) => e.id),
    events.map((e) => e.type),
    events.map((e) => new Date(e.ts)),
    events.map(() => receivedAt),
    events.map((e) => e.v),
    events.map((e) => e.source ?? null),
    events.map((e) => e.value ?? null),
    events.map((e) => JSON.stringify(e.attrs)),
  ]);
  return new Set(result.rows.map((row) => row.id));
}

export async function upsertRollups(client: pg.PoolClient, deltas: RollupDelta[]): Promise<void> {
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
    // Postgres text cannot hold NUL bytes; keep everything else of the payload verbatim.
    letters.map((l) => l.payload.replaceAll("\u0000", "\uFFFD")),
  ]);
}

/**
 * Commits one batch exactly once: raw events are inserted with ON CONFLICT DO NOTHING and
 * only the rows that were really inserted feed the rollups; dead letters and the checkpoint
 * commit in the same transaction, so a redelivered batch changes no number.
 */
export async function commitBatch(pool: pg.Pool, batch: BatchCommit): Promise<BatchResult> {
  const events = dedupeById(batch.events);
  return inTransaction(pool, async (client) => {
    const insertedIds = await insertRaw(client, events, new Date(batch.receivedAt));
    const inserted = events.filter((e) => insertedIds.has(e.id));
    await upsertRollups(client, eventCountDeltas(inserted));
    await insertDeadLetters(client, batch.deadLetters);
    const checkpoint = await client.query<{ batch_seq: number; events_total: number }>(ADVANCE_CHECKPOINT, [
      batch.consumer,
      batch.streamSeq,
      inserted.length,
    ]);
    const row = checkpoint.rows[0];
    if (!row) throw new Error("checkpoint upsert returned no row");
    return { inserted, batchSeq: row.batch_seq, total: row.events_total };
  });
}
