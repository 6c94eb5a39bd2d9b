import { DAY_MS, HOUR_MS } from "./periods";
import { bucketStart } from "./time";

/**
 * Which event times can still be counted. Too-late events are folded in by the reconciliation
 * of their hour, which only plans hours from `hourStart(now − RECONCILE_WINDOW_DAYS)` on
 * (server/scheduler/batch-jobs.ts). An older event would be stored and never counted.
 */

/** Oldest event time the processor still stores: its hour is still reconciled. */
export function oldestCountedTime(now: number, reconcileWindowDays: number): number {
  return bucketStart(now - reconcileWindowDays * DAY_MS, HOUR_MS);
}

/**
 * Oldest event time ingest accepts: an hour later than the processor's bound, so an event
 * accepted now is still countable when the processor reaches it (up to an hour behind).
 */
export function oldestAcceptedTime(now: number, reconcileWindowDays: number): number {
  return now - reconcileWindowDays * DAY_MS + HOUR_MS;
}
