import { bucketStart, MINUTE_MS } from "./time";

/** Tiers compacted by the scheduler; 1m is written by the stream. */
export type CoarseResolution = "1h" | "1d";
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

export const PERIOD_MS: Record<CoarseResolution, number> = { "1h": HOUR_MS, "1d": DAY_MS };
/** The tier a coarse period is merged from: hours from minutes, days from hours. */
export const SOURCE_RESOLUTION: Record<CoarseResolution, "1m" | "1h"> = { "1h": "1m", "1d": "1h" };

export type PeriodStatus = "compacted" | "dirty";

/** Settings that decide when a period is final (the same values the processor uses). */
export interface FinalitySettings {
  outOfOrdernessMs: number;
  allowedLatenessMs: number;
}

/**
 * Watermark from the slowest consumer's clock: a period is only final when every consumer is
 * past it. Bounded by `now`, the scheduler's clock: a stored clock ahead of it never finalizes
 * the future.
 */
export function batchWatermark(
  maxEventTimes: readonly (number | null)[],
  settings: FinalitySettings,
  now: number,
) {
  if (maxEventTimes.length === 0 || maxEventTimes.some((t) => t === null)) return null;
  return Math.min(now, ...(maxEventTimes as number[])) - settings.outOfOrdernessMs;
}

/**
 * A period is final once no event can change it through the stream any more: the watermark
 * is at least its end plus the allowed lateness (later events are too late and go through
 * reconciliation instead).
 */
export function isFinal(
  resolution: CoarseResolution,
  start: number,
  watermark: number | null,
  settings: FinalitySettings,
): boolean {
  return watermark !== null && watermark >= start + PERIOD_MS[resolution] + settings.allowedLatenessMs;
}

/** The 24 hour starts of a UTC day. */
export function hoursOfDay(dayStart: number): number[] {
  return Array.from({ length: 24 }, (_, i) => dayStart + i * HOUR_MS);
}

export interface PlanInput {
  /** Earliest 1m bucket still stored, or null when there is none. */
  earliestMinute: number | null;
  watermark: number | null;
  settings: FinalitySettings;
  /** Status of every known period in the planned range, keyed `${resolution}@${start}`. */
  statuses: ReadonlyMap<string, PeriodStatus>;
  /** At most this many hours per plan, oldest first (bounds one tick's work). */
  maxHours: number;
}

export interface CompactionPlan {
  hours: number[];
  days: number[];
}

export const periodKey = (resolution: CoarseResolution, start: number) => `${resolution}@${start}`;

/** Range of hours the planner looks at: from the day of the earliest minute to the last final hour. */
export function planRange(input: Pick<PlanInput, "earliestMinute" | "watermark" | "settings">) {
  const { earliestMinute, watermark, settings } = input;
  if (earliestMinute === null || watermark === null) return null;
  const from = bucketStart(earliestMinute, DAY_MS);
  // Last hour whose end + lateness ≤ watermark.
  const lastHour = bucketStart(watermark - settings.allowedLatenessMs, HOUR_MS) - HOUR_MS;
  return lastHour < from ? null : { from, lastHour };
}

/**
 * Which periods to (re)compact: final hours that are missing or dirty, and final days that
 * are missing or dirty and whose 24 hours are all compacted (a day waits for its hours).
 * Days start at the earliest minute's UTC day so the hours before the first event count too.
 */
export function planCompaction(input: PlanInput): CompactionPlan {
  const range = planRange(input);
  if (!range) return { hours: [], days: [] };
  const status = (resolution: CoarseResolution, start: number) =>
    input.statuses.get(periodKey(resolution, start));
  const hours: number[] = [];
  for (let hour = range.from; hour <= range.lastHour && hours.length < input.maxHours; hour += HOUR_MS) {
    if (status("1h", hour) !== "compacted") hours.push(hour);
  }
  const days: number[] = [];
  for (let day = range.from; day + DAY_MS <= range.lastHour + HOUR_MS; day += DAY_MS) {
    if (!isFinal("1d", day, input.watermark, input.settings) || status("1d", day) === "compacted") continue;
    if (hoursOfDay(day).every((hour) => status("1h", hour) === "compacted")) days.push(day);
  }
  return { hours, days };
}
