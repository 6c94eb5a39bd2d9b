import type pg from "pg";

const DEAD_LETTERS_BY_REASON = `
SELECT reason, count(*)::int AS count
FROM (
  SELECT DISTINCT d.id, r->>'code' AS reason
  FROM dead_letters d, jsonb_array_elements(d.reasons) AS r
  WHERE d.received_at >= $1
) per_letter
GROUP BY reason
ORDER BY count DESC, reason`;

const CHECKPOINT_TOTALS = `
SELECT coalesce(sum(events_total), 0)::bigint AS stored, coalesce(sum(too_late_total), 0)::bigint AS too_late,
       (extract(epoch FROM max(max_event_time)) * 1000)::bigint AS max_event_time
FROM consumer_checkpoints`;

export interface PipelineCounters {
  stored: number;
  tooLate: number;
  maxEventTime: number | null;
  /** Dead letters received since `since`, per reason code (a letter counts once per code). */
  deadLetters: { reason: string; count: number }[];
}

/** Counters of the pipeline panel that live in Postgres. */
export async function readPipelineCounters(pool: pg.Pool, since: number): Promise<PipelineCounters> {
  const [letters, totals] = await Promise.all([
    pool.query<{ reason: string; count: number }>(DEAD_LETTERS_BY_REASON, [new Date(since)]),
    pool.query<{ stored: number; too_late: number; max_event_time: number | null }>(CHECKPOINT_TOTALS),
  ]);
  const row = totals.rows[0];
  return {
    stored: row?.stored ?? 0,
    tooLate: row?.too_late ?? 0,
    maxEventTime: row?.max_event_time ?? null,
    deadLetters: letters.rows,
  };
}

/**
 * How long ago `consumer` last committed (its checkpoint's age by the database's own clock,
 * so no host clock is compared with another), or null before its first commit.
 */
export async function readCheckpointAge(pool: pg.Pool, consumer: string): Promise<number | null> {
  const result = await pool.query<{ age: number }>(
    `SELECT (extract(epoch FROM now() - updated_at) * 1000)::float8 AS age FROM consumer_checkpoints WHERE consumer = $1`,
    [consumer],
  );
  return result.rows[0]?.age ?? null;
}
