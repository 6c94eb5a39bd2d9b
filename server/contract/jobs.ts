import { z } from "zod";

/** Scheduler queues shown on /jobs (server/scheduler/queues.ts uses the same names). */
export const JOB_QUEUES = ["plan", "compact-hour", "compact-day", "reconcile-hour", "retention"] as const;
export const JobStatus = z.enum(["running", "completed", "failed"]);
export type JobStatus = z.infer<typeof JobStatus>;

/** Query of `GET /api/jobs`; every field is optional. */
export const JobsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  queue: z.enum(JOB_QUEUES).optional(),
  status: JobStatus.optional(),
});
export type JobsQuery = z.infer<typeof JobsQuery>;

/** One attempt of one job. `retries` = attempt − 1; `durationMs` is null while running. */
export const JobRunView = z.object({
  id: z.number().int(),
  jobId: z.string(),
  queue: z.string(),
  subject: z.string(),
  attempt: z.number().int(),
  retries: z.number().int(),
  status: JobStatus,
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  durationMs: z.number().nullable(),
  error: z.string().nullable(),
});
export type JobRunView = z.infer<typeof JobRunView>;

/** The latest reconciliation of one hour. */
export const ReconciliationView = z.object({
  hour: z.string(),
  ranAt: z.string(),
  events: z.number().int(),
  tooLateEvents: z.number().int(),
  rowsCompared: z.number().int(),
  rowsDrifted: z.number().int(),
});
export type ReconciliationView = z.infer<typeof ReconciliationView>;

/** Drift one reconciliation found (and repaired) for one metric in one hour. */
export const DriftView = z.object({
  hour: z.string(),
  metric: z.string(),
  ranAt: z.string(),
  bucketsDrifted: z.number().int(),
  streamedCount: z.number(),
  batchCount: z.number(),
});
export type DriftView = z.infer<typeof DriftView>;

/** Jobs per state in pg-boss's own tables (waiting work, retries pending, failures). */
export const QueueStateView = z.object({
  queue: z.string(),
  created: z.number().int(),
  retry: z.number().int(),
  active: z.number().int(),
  completed: z.number().int(),
  failed: z.number().int(),
});
export type QueueStateView = z.infer<typeof QueueStateView>;

/** `200` answer of `GET /api/jobs`. */
export const JobsResponse = z.object({
  runs: z.array(JobRunView),
  queues: z.array(QueueStateView),
  reconciliations: z.array(ReconciliationView),
  drift: z.array(DriftView),
  generatedAt: z.string(),
});
export type JobsResponse = z.infer<typeof JobsResponse>;
