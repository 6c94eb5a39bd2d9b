import { TZDate, tzOffset } from "@date-fns/tz";
import { addDays, startOfDay, startOfHour, startOfMinute } from "date-fns";
import { AUTO_MAX_BUCKETS, STEP_MS, STEPS, type Step } from "../../contract/history";

/**
 * Bucket boundaries in a viewer's time zone. Zone math comes from @date-fns/tz (TZDate
 * applies the IANA rules), never from hand-written offsets: a New York day lasts 23 h or
 * 25 h around DST changes, and Asia/Kolkata hours start at :30 UTC.
 */

/** Finest step whose bucket count over the range stays within AUTO_MAX_BUCKETS. */
export function autoStep(from: number, to: number): Step {
  const span = Math.max(to - from, 1);
  return STEPS.find((step) => Math.ceil(span / STEP_MS[step]) <= AUTO_MAX_BUCKETS) ?? "1d";
}

/** Start of the bucket of `step` in `tz` that contains `ts` (local wall-clock alignment). */
export function alignDown(ts: number, step: Step, tz: string): number {
  const local = new TZDate(ts, tz);
  switch (step) {
    case "1d":
      return startOfDay(local).getTime();
    case "1h":
      return startOfHour(local).getTime();
    case "1m":
      return startOfMinute(local).getTime();
    case "5m":
    case "15m": {
      const minute = startOfMinute(local);
      const size = STEP_MS[step] / 60_000;
      minute.setMinutes(minute.getMinutes() - (minute.getMinutes() % size));
      return minute.getTime();
    }
  }
}

/**
 * The zone's UTC offset (minutes) at an instant, from the library (Intl), asked twice per UTC
 * day and per instant only on days whose offset changes: a 30-day hourly series needs ~60
 * lookups instead of ~3000. (No zone changes its offset twice within one day and back.)
 */
export function offsetReader(tz: string): (ts: number) => number {
  const days = new Map<number, number | null>();
  return (ts) => {
    const day = Math.floor(ts / 86_400_000) * 86_400_000;
    let constant = days.get(day);
    if (constant === undefined) {
      const first = tzOffset(tz, new Date(day));
      constant = first === tzOffset(tz, new Date(day + 86_399_999)) ? first : null;
      days.set(day, constant);
    }
    return constant ?? tzOffset(tz, new Date(ts));
  };
}

/** Start of the bucket after the one starting at `start`. */
export function nextBoundary(start: number, step: Step, tz: string, offsetAt = offsetReader(tz)): number {
  if (step === "1d") return startOfDay(addDays(new TZDate(start, tz), 1)).getTime();
  // Sub-day buckets last their nominal length in absolute time: the repeated 01:00 of a
  // fall-back night is two buckets. Re-align only if the zone shifts by a non-whole step.
  const size = STEP_MS[step];
  const next = start + size;
  const shift = (offsetAt(next) - offsetAt(start)) * 60_000;
  if (shift % size === 0) return next;
  // A repeated wall-clock half hour (Lord Howe) aligns back to `start`: take the next one.
  const aligned = alignDown(next, step, tz);
  if (aligned > start) return aligned;
  const later = alignDown(next + size, step, tz);
  return later > start ? later : next;
}

/**
 * Boundaries b₀ < b₁ < … < bₙ of the buckets covering [from, to): b₀ is `from` aligned down
 * and bₙ the first boundary at or after `to`. Bucket i is [bᵢ, bᵢ₊₁). Stops after `maxBuckets`
 * buckets and returns null, so a too-fine step cannot allocate without bound.
 */
export function bucketBoundaries(
  from: number,
  to: number,
  step: Step,
  tz: string,
  maxBuckets: number,
  offsetAt = offsetReader(tz),
): number[] | null {
  const boundaries = [alignDown(from, step, tz)];
  let current = boundaries[0] ?? from;
  while (current < to) {
    if (boundaries.length > maxBuckets) return null;
    current = nextBoundary(current, step, tz, offsetAt);
    boundaries.push(current);
  }
  return boundaries;
}

/** RFC 3339 text of an instant with the zone's offset, e.g. 2026-03-08T00:00:00.000-05:00. */
export function formatInZone(ts: number, tz: string, offsetAt?: (ts: number) => number): string {
  if (!offsetAt) return new TZDate(ts, tz).toISOString();
  // Same text as TZDate#toISOString, from an offset already looked up.
  const offset = offsetAt(ts);
  const sign = offset < 0 ? "-" : "+";
  const hh = String(Math.floor(Math.abs(offset) / 60)).padStart(2, "0");
  const mm = String(Math.abs(offset) % 60).padStart(2, "0");
  return `${new Date(ts + offset * 60_000).toISOString().slice(0, 23)}${sign}${hh}:${mm}`;
}
