import type pg from "pg";
import type { RatesSnapshot, TypeRate } from "../contract";
import { inTransaction } from "./clients";

const CHECKPOINTS = `SELECT consumer, batch_seq, events_total FROM consumer_checkpoints`;

const RECENT_RATES = `
SELECT (extract(epoch FROM date_trunc('second', ts)) * 1000)::bigint AS t, type, count(*)::int AS count
FROM raw_events
WHERE ts >= $1
GROUP BY 1, 2
ORDER BY 1, 2`;

/**
 * Per-second rates since `from` plus the checkpoints they reflect, read in one snapshot
 * (REPEATABLE READ) so the client can tell which pushed batches are already included.
 */
export async function readRatesSnapshot(pool: pg.Pool, from: number, now: number): Promise<RatesSnapshot> {
  return inTransaction(
    pool,
    async (client) => {
      const checkpoints = await client.query<{ consumer: string; batch_seq: number; events_total: number }>(
        CHECKPOINTS,
      );
      const rates = await client.query<TypeRate>(RECENT_RATES, [new Date(from)]);
      const consumers: RatesSnapshot["consumers"] = {};
      for (const row of checkpoints.rows) {
        consumers[row.consumer] = { batchSeq: row.batch_seq, total: row.events_total };
      }
      return { rates: rates.rows, consumers, serverTime: now };
    },
    "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
  );
}
