import type pg from "pg";

/** Run history of scheduler jobs (`job_runs`): one row per attempt. */
export async function startJobRun(
  pool: pg.Pool,
  run: { jobId: string; queue: string; subject: string; attempt: number; now: number },
): Promise<number> {
  const result = await pool.query<{ id: number }>(
    `INSERT INTO job_runs (job_id, queue, subject, attempt, status, started_at)
     VALUES ($1, $2, $3, $4, 'running', $5) RETURNING id`,
    [run.jobId, run.queue, run.subject, run.attempt, new Date(run.now)],
  );
  const id = result.rows[0]?.id;
  if (id === undefined) throw new Error("job run insert returned no id");
  return id;
}

export async function finishJobRun(
  pool: pg.Pool,
  id: number,
  outcome: { status: "completed" | "failed"; now: number; error?: string; result?: unknown },
): Promise<void> {
  await pool.query(
    `UPDATE job_runs SET status = $2, finished_at = $3, error = $4, result = $5 WHERE id = $1`,
    [
      id,
      outcome.status,
      new Date(outcome.now),
      outcome.error ?? null,
      outcome.result === undefined ? null : JSON.stringify(outcome.result),
    ],
  );
}

/** Forgets a run that did nothing worth showing (an idle plan every few seconds would bury the rest). */
export async function discardJobRun(pool: pg.Pool, id: number): Promise<void> {
  await pool.query(`DELETE FROM job_runs WHERE id = $1`, [id]);
}
