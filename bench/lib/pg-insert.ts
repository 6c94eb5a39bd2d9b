/**
 * Stage (b): the raw Postgres limit of the processor's write path — the same set-based
 * `INSERT … SELECT FROM unnest(…) ON CONFLICT (id) DO NOTHING RETURNING id` into raw_events,
 * one statement per batch on one connection, with the same events. Decoding is done before
 * the clock starts; building the column arrays is timed, as it is part of the insert.
 */
import type pg from "pg";
import { validatePayload, type ValidEvent } from "../../server/contract";

// Mirrors INSERT_RAW in server/db/event-store.ts (not exported there).
const INSERT_RAW = `
INSERT INTO raw_events (id, type, ts, received_at, v, source, value, attrs, too_late)
SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::timestamptz[], $5::int[], $6::text[],
                     $7::float8[], $8::jsonb[], $9::bool[])
ON CONFLICT (id) DO NOTHING
RETURNING id`;

export interface InsertResult {
  events: number;
  inserted: number;
  batches: number;
  seconds: number;
  eventsPerSecond: number;
}

export function decodeBodies(bodies: readonly string[], now: number): ValidEvent[] {
  return bodies.map((body) => {
    const validation = validatePayload(body, now);
    if (!validation.ok) throw new Error(`bench event is invalid: ${JSON.stringify(validation.reasons)}`);
    return validation.event;
  });
}

/** Runs on a connected client of its own (so the caller can account its backend's CPU). */
export async function runInsertStage(
  client: pg.Client,
  events: readonly ValidEvent[],
  batchSize: number,
): Promise<InsertResult> {
  let inserted = 0;
  let batches = 0;
  const start = performance.now();
  for (let offset = 0; offset < events.length; offset += batchSize) {
    const batch = events.slice(offset, offset + batchSize);
    const receivedAt = new Date();
    const result = await client.query<{ id: string }>(INSERT_RAW, [
      batch.map((e) => e.id),
      batch.map((e) => e.type),
      batch.map((e) => new Date(e.ts)),
      batch.map(() => receivedAt),
      batch.map((e) => e.v),
      batch.map((e) => e.source ?? null),
      batch.map((e) => e.value ?? null),
      batch.map((e) => JSON.stringify(e.attrs)),
      batch.map(() => false),
    ]);
    inserted += result.rowCount ?? 0;
    batches++;
  }
  const seconds = (performance.now() - start) / 1000;
  return { events: events.length, inserted, batches, seconds, eventsPerSecond: events.length / seconds };
}
