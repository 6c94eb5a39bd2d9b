/**
 * Stage (b): the raw Postgres limit of the processor's write path — the same set-based
 * `INSERT … SELECT FROM unnest(…) ON CONFLICT (id) DO NOTHING RETURNING id` into raw_events,
 * one statement per batch on one connection, with the same events. Decoding is done before
 * the clock starts; building the column arrays is timed, as it is part of the insert.
 */
import type pg from "pg";
import { validatePayload, type ValidEvent } from "../../server/contract";
import { insertRawEvents } from "../../server/db/event-store";

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
    const rows = batch.map((event) => ({ event, lateness: "on_time" as const }));
    const insertedIds = await insertRawEvents(client, rows, receivedAt);
    inserted += insertedIds.size;
    batches++;
  }
  const seconds = (performance.now() - start) / 1000;
  return { events: events.length, inserted, batches, seconds, eventsPerSecond: events.length / seconds };
}
