/** The scheduler's pg-boss queues; every job names the period it works on in its data. */
export const QUEUES = {
  plan: "plan",
  compactHour: "compact-hour",
  compactDay: "compact-day",
  reconcileHour: "reconcile-hour",
  retention: "retention",
} as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

/** Data of period jobs: the period start as an ISO instant (also the job's singleton key). */
export interface PeriodJob {
  start: string;
}

/** Retention runs at minute 17 of every hour (pg-boss cron, UTC). */
export const RETENTION_CRON = "17 * * * *";
