import { PgBoss, type JobResult } from "pg-boss";
import type pg from "pg";
import { errorFields, type Logger } from "../log";
import { discardJobRun, finishJobRun, startJobRun } from "../db/job-runs";
import { BatchJobs, type BatchSettings, type JobQueue } from "./batch-jobs";
import { carryOverLegacyJobs, ensureQueues, legacySchemaName, retireLegacySchema } from "./boss-schema";
import { QUEUES, RETENTION_CRON, type PeriodJob, type QueueName } from "./queues";

export interface SchedulerOptions {
  databaseUrl: string;
  /** pg-boss schema (from NOWCAST_NAMESPACE, so tests are isolated). */
  schema: string;
  batch: BatchSettings;
  retryLimit: number;
  retryDelaySeconds: number;
  /** Polling interval of the workers (pg-boss minimum 0.5 s). */
  pollingIntervalSeconds?: number;
}

export interface Scheduler {
  boss: PgBoss;
  jobs: BatchJobs;
  /** Enqueues a plan job (at most one waits at a time). */
  requestPlan(): Promise<void>;
  stop(): Promise<void>;
}

const BATCH_SIZE = 20;
const PERIOD_QUEUES = [QUEUES.compactHour, QUEUES.compactDay, QUEUES.reconcileHour] as const;

/** pg-boss as the job engine: queues, retries with back-off, singleton keys, cron, archive. */
export async function startScheduler(
  deps: { pool: pg.Pool; log: Logger; now?: () => number },
  options: SchedulerOptions,
): Promise<Scheduler> {
  const { pool, log } = deps;
  const now = deps.now ?? Date.now;
  const boss = new PgBoss({
    connectionString: options.databaseUrl,
    schema: options.schema,
    application_name: "nowcast-scheduler",
    max: 4,
  });
  boss.on("error", (error) => log.warn("pg-boss error", errorFields(error)));
  // A schema left by pg-boss 10 is moved aside first: pg-boss 12 cannot migrate it.
  if (await retireLegacySchema(pool, options.schema)) {
    log.info("moved the pg-boss 10 schema aside", { schema: legacySchemaName(options.schema) });
  }
  await boss.start();
  try {
    await prepareQueues(boss, pool, log, options);
  } catch (error) {
    await boss.stop({ graceful: false }).catch(() => undefined);
    throw error;
  }
  const queue: JobQueue = {
    async enqueue(name, start) {
      const iso = new Date(start).toISOString();
      await boss.send(name, { start: iso } satisfies PeriodJob, { singletonKey: iso });
    },
  };
  const jobs = new BatchJobs(pool, queue, options.batch, now);
  // Up to BATCH_SIZE jobs per fetch, fetched again at once while batches come back full, each
  // settled on its own (perJobResults): one failing period does not fail the others, and a
  // backlog drains at batch speed instead of one batch per polling interval.
  const polling = {
    pollingIntervalSeconds: options.pollingIntervalSeconds ?? 2,
    batchSize: BATCH_SIZE,
    burstWhenBatchFull: true,
    perJobResults: true,
  } as const;

  const work = async <T extends object, R>(
    name: QueueName,
    subjectOf: (data: T) => string,
    run: (data: T, jobId: string) => Promise<R>,
    idle: (result: R) => boolean = () => false,
  ) =>
    boss.work<T, unknown, typeof polling>(name, polling, async (batch) => {
      const results: JobResult[] = [];
      for (const job of batch) {
        const attempt = job.retryCount + 1;
        const runId = await startJobRun(pool, {
          jobId: job.id,
          queue: name,
          subject: subjectOf(job.data),
          attempt,
          now: now(),
        });
        try {
          const result = await run(job.data, job.id);
          if (idle(result)) await discardJobRun(pool, runId);
          else await finishJobRun(pool, runId, { status: "completed", now: now(), result });
          results.push({ id: job.id, status: "completed", output: { result } });
        } catch (error) {
          const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
          await finishJobRun(pool, runId, { status: "failed", now: now(), error: message }).catch(
            () => undefined,
          );
          log.warn(`${name} failed`, { attempt, ...errorFields(error) });
          // Retried by pg-boss with back-off until the queue's retry limit.
          results.push({ id: job.id, status: "failed", output: { error: message } });
        }
      }
      return results;
    });

  const periodStart = (data: PeriodJob) => {
    const start = Date.parse(data.start);
    if (!Number.isFinite(start)) throw new Error(`job data has no valid start: ${JSON.stringify(data)}`);
    return start;
  };
  await work(
    QUEUES.plan,
    () => "",
    () => jobs.plan(now()),
    // A plan that enqueued nothing is not kept in job_runs (pg-boss still counts it).
    (plan) => plan.compactHours + plan.compactDays + plan.reconcileHours === 0,
  );
  await work(
    QUEUES.compactHour,
    (d: PeriodJob) => d.start,
    (d) => jobs.compactHour(periodStart(d)),
  );
  await work(
    QUEUES.compactDay,
    (d: PeriodJob) => d.start,
    (d) => jobs.compactDay(periodStart(d)),
  );
  await work(
    QUEUES.reconcileHour,
    (d: PeriodJob) => d.start,
    (d, id) => jobs.reconcileHour(periodStart(d), now(), id),
  );
  await work(
    QUEUES.retention,
    () => "",
    () => jobs.retention(now()),
  );
  await boss.schedule(QUEUES.retention, RETENTION_CRON, {}, { singletonKey: "retention" });
  log.info("scheduler started", {
    schema: options.schema,
    queues: [QUEUES.plan, ...PERIOD_QUEUES, QUEUES.retention],
  });

  return {
    boss,
    jobs,
    async requestPlan() {
      await boss.send(QUEUES.plan, {}, { singletonKey: "plan" });
    },
    async stop() {
      // Graceful: running jobs finish (or time out and are retried by the next scheduler).
      await boss.stop({ graceful: true, timeout: 20_000 });
    },
  };
}

/** Our queues, and the jobs a pg-boss 10 schema still had waiting (server/scheduler/boss-schema.ts). */
async function prepareQueues(boss: PgBoss, pool: pg.Pool, log: Logger, options: SchedulerOptions) {
  // 'stately': per singleton key at most one job waiting and one running, so a period that is
  // asked for again while it runs is run once more afterwards, never twice at once.
  await ensureQueues(boss, Object.values(QUEUES), "stately", {
    retryLimit: options.retryLimit,
    retryDelay: options.retryDelaySeconds,
    retryBackoff: true,
    expireInSeconds: 15 * 60,
  });
  const carried = await carryOverLegacyJobs(pool, boss, options.schema, Object.values(QUEUES));
  if (carried !== null) log.info("carried waiting jobs over from the pg-boss 10 schema", { jobs: carried });
}
