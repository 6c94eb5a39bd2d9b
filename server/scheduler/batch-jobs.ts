import type pg from "pg";
import {
  batchWatermark,
  DAY_MS,
  HOUR_MS,
  hoursOfDay,
  isFinal,
  planCompaction,
  planRange,
  type CoarseResolution,
  type FinalitySettings,
} from "../core/periods";
import { retentionCutoffs, type RetentionPolicy } from "../core/retention";
import { bucketStart } from "../core/time";
import { compactPeriod, type CompactionResult } from "../db/compaction-store";
import { loadDefinitions } from "../db/metric-definitions";
import { compactedHoursOfDay, consumerClocks, earliestMinute, periodStatuses } from "../db/period-store";
import { hoursDueForReconciliation } from "../db/reconcile-runs";
import { reconcileHour, type ReconciliationResult } from "../db/reconcile-store";
import { applyRetention, type RetentionResult } from "../db/retention-store";
import { QUEUES } from "./queues";

/** Where follow-up jobs go (pg-boss in production; a list in unit tests). */
export interface JobQueue {
  /** Enqueues a period job unless one for the same period is already waiting. */
  enqueue(
    queue: (typeof QUEUES)["compactHour" | "compactDay" | "reconcileHour"],
    start: number,
  ): Promise<void>;
}

export interface BatchSettings extends FinalitySettings {
  reconcileWindowDays: number;
  retention: RetentionPolicy;
  /** At most this many hours enqueued per plan and kind. */
  maxPerPlan: number;
}

export interface Plan {
  watermark: string | null;
  compactHours: number;
  compactDays: number;
  reconcileHours: number;
}

export type CompactionOutcome = CompactionResult | { skipped: "not final"; periodStart: string };

/**
 * The scheduler's verbs, one per job kind. Time comes in as `now`; finality comes from the
 * committed consumer clocks, so a job never compacts a period the stream can still change.
 */
export class BatchJobs {
  constructor(
    private readonly pool: pg.Pool,
    private readonly queue: JobQueue,
    private readonly settings: BatchSettings,
    /** The scheduler's clock; it bounds the watermark (docs/decisions/0019). */
    private readonly now: () => number = Date.now,
  ) {}

  async watermark(): Promise<number | null> {
    return batchWatermark(await consumerClocks(this.pool), this.settings, this.now());
  }

  /** Enqueues the final periods that need (re)compaction and the hours due for reconciliation. */
  async plan(now: number): Promise<Plan> {
    const watermark = await this.watermark();
    const earliest = await earliestMinute(this.pool);
    const range = planRange({ earliestMinute: earliest, watermark, settings: this.settings });
    const statuses = range ? await periodStatuses(this.pool, range.from, range.lastHour) : new Map();
    const compaction = planCompaction({
      earliestMinute: earliest,
      watermark,
      settings: this.settings,
      statuses,
      maxHours: this.settings.maxPerPlan,
    });
    for (const hour of compaction.hours) await this.queue.enqueue(QUEUES.compactHour, hour);
    for (const day of compaction.days) await this.queue.enqueue(QUEUES.compactDay, day);
    const reconcile = await this.dueForReconciliation(now, watermark);
    for (const hour of reconcile) await this.queue.enqueue(QUEUES.reconcileHour, hour);
    return {
      watermark: watermark === null ? null : new Date(watermark).toISOString(),
      compactHours: compaction.hours.length,
      compactDays: compaction.days.length,
      reconcileHours: reconcile.length,
    };
  }

  private async dueForReconciliation(now: number, watermark: number | null): Promise<number[]> {
    if (watermark === null) return [];
    const lastHour = bucketStart(watermark - this.settings.allowedLatenessMs, HOUR_MS) - HOUR_MS;
    const from = bucketStart(now - this.settings.reconcileWindowDays * DAY_MS, HOUR_MS);
    return hoursDueForReconciliation(this.pool, from, lastHour, this.settings.maxPerPlan);
  }

  /**
   * Compacts one hour once final; the hour that completes a final day enqueues the day (each
   * hour checks after its commit, so the last of concurrent hours always sees all 24).
   */
  async compactHour(start: number): Promise<CompactionOutcome> {
    const result = await this.compact("1h", start);
    if ("skipped" in result) return result;
    const day = bucketStart(start, DAY_MS);
    if (
      isFinal("1d", day, await this.watermark(), this.settings) &&
      (await compactedHoursOfDay(this.pool, day)) === hoursOfDay(day).length
    )
      await this.queue.enqueue(QUEUES.compactDay, day);
    return result;
  }

  /** Compacts one day from its 24 compacted hours (DependencyPendingError → retried with back-off). */
  compactDay(start: number): Promise<CompactionOutcome> {
    return this.compact("1d", start);
  }

  private async compact(resolution: CoarseResolution, start: number): Promise<CompactionOutcome> {
    if (!isFinal(resolution, start, await this.watermark(), this.settings))
      return { skipped: "not final", periodStart: new Date(start).toISOString() };
    return compactPeriod(this.pool, resolution, start);
  }

  /** Reconciles one closed hour; a repair makes its hour (and so its day) due for recompaction. */
  async reconcileHour(
    start: number,
    now: number,
    jobId?: string,
  ): Promise<ReconciliationResult | { skipped: "not closed"; hour: string }> {
    // An hour the stream may still revise is not the oracle's yet.
    if (!isFinal("1h", start, await this.watermark(), this.settings))
      return { skipped: "not closed", hour: new Date(start).toISOString() };
    const { definitions } = await loadDefinitions(this.pool);
    const result = await reconcileHour(this.pool, start, definitions, { now, ...(jobId ? { jobId } : {}) });
    if (result.rowsDrifted > 0) await this.queue.enqueue(QUEUES.compactHour, start);
    return result;
  }

  retention(now: number): Promise<RetentionResult> {
    return applyRetention(this.pool, retentionCutoffs(now, this.settings.retention));
  }
}
