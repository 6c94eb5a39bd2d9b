import type pg from "pg";
import { HOUR_MS } from "../core/periods";
import { bucketStart } from "../core/time";

/**
 * `too_late_hours`: per UTC hour, too-late events stored raw (added in the processor's batch
 * transaction) and folded in by the hour's latest reconciliation (set in its transaction). An
 * hour with stored > folded has stored events its rollups do not count yet.
 */

const ADD_STORED = `
INSERT INTO too_late_hours AS t (hour, stored)
SELECT h, n FROM unnest($1::timestamptz[], $2::int[]) AS u(h, n)
ON CONFLICT (hour) DO UPDATE SET stored = t.stored + excluded.stored`;

/** In the batch transaction: counts newly stored too-late events into their hours (sorted: lock order). */
export async function addTooLate(client: pg.ClientBase, eventTimes: readonly number[]): Promise<void> {
  if (eventTimes.length === 0) return;
  const perHour = new Map<number, number>();
  for (const ts of eventTimes) {
    const hour = bucketStart(ts, HOUR_MS);
    perHour.set(hour, (perHour.get(hour) ?? 0) + 1);
  }
  const hours = [...perHour.keys()].sort((a, b) => a - b);
  await client.query(ADD_STORED, [hours.map((h) => new Date(h)), hours.map((h) => perHour.get(h) ?? 0)]);
}

// `folded` is what this run read, absolute: a too-late event committed after its read keeps
// stored > folded and the hour due again.
const SET_FOLDED = `
INSERT INTO too_late_hours AS t (hour, stored, folded) VALUES ($1, $2, $2)
ON CONFLICT (hour) DO UPDATE SET folded = excluded.folded, stored = GREATEST(t.stored, excluded.folded)`;

/** In the reconciliation's transaction: how many too-late events of `hour` it folded in. */
export async function setFolded(client: pg.ClientBase, hour: Date, folded: number): Promise<void> {
  if (folded > 0) await client.query(SET_FOLDED, [hour, folded]);
  else await client.query(`UPDATE too_late_hours SET folded = 0 WHERE hour = $1`, [hour]);
}

/**
 * Too-late events stored in [from, to) and not yet folded in (hours overlapping the range),
 * from the partial index over pending hours.
 */
export async function pendingTooLate(pool: pg.Pool, from: number, to: number): Promise<number> {
  const result = await pool.query<{ n: number }>(
    `SELECT coalesce(sum(stored - folded), 0)::int AS n FROM too_late_hours
     WHERE stored > folded AND hour >= $1 AND hour < $2`,
    [new Date(bucketStart(from, HOUR_MS)), new Date(to)],
  );
  return result.rows[0]?.n ?? 0;
}
