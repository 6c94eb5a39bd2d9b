import type pg from "pg";

/**
 * What ingest asks Postgres about a request, in one round trip: which of its ids are stored
 * (first copy wins, at any distance in time) and the consumer's event-time clock.
 */
const LOOKUP = `
SELECT ARRAY(SELECT id FROM raw_events WHERE id = ANY($1::text[])) AS stored,
       (SELECT (extract(epoch FROM max_event_time) * 1000)::float8 FROM consumer_checkpoints
        WHERE consumer = $2) AS max_event_time`;

export async function lookupIngest(
  pool: pg.Pool,
  ids: readonly string[],
  consumer: string,
): Promise<{ stored: Set<string>; maxEventTime: number | null }> {
  const result = await pool.query<{ stored: string[]; max_event_time: number | null }>(LOOKUP, [
    ids,
    consumer,
  ]);
  const row = result.rows[0];
  return { stored: new Set(row?.stored ?? []), maxEventTime: row?.max_event_time ?? null };
}
