/**
 * Which stored tier answers which part of a bucket. 1h and 1d rows are UTC-aligned and may
 * be read only for periods whose status is 'compacted' (rollup_periods); everything else
 * comes from the next finer tier, down to the 1-minute rows the stream writes.
 */
export type Tier = "1m" | "1h" | "1d";
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** Starts (epoch ms) of the 1h and 1d periods that are compacted. */
export interface CompactedPeriods {
  hours: ReadonlySet<number>;
  days: ReadonlySet<number>;
}

/** Rows of `resolution` whose bucket start lies in [start, end). */
export interface Segment {
  resolution: Tier;
  start: number;
  end: number;
}

/**
 * Covers [start, end) (minute-aligned) with the coarsest compacted rows that fit inside it
 * and 1-minute rows at the edges and in gaps. The segments are disjoint and in time order.
 */
export function coverRange(start: number, end: number, compacted: CompactedPeriods): Segment[] {
  const segments: Segment[] = [];
  let t = start;
  while (t < end) {
    if (t % DAY_MS === 0 && t + DAY_MS <= end && compacted.days.has(t)) {
      push(segments, "1d", t, t + DAY_MS);
      t += DAY_MS;
    } else if (t % HOUR_MS === 0 && t + HOUR_MS <= end && compacted.hours.has(t)) {
      push(segments, "1h", t, t + HOUR_MS);
      t += HOUR_MS;
    } else {
      const next = Math.min(end, Math.floor(t / HOUR_MS) * HOUR_MS + HOUR_MS);
      push(segments, "1m", t, next);
      t = next;
    }
  }
  return segments;
}

/** Covers consecutive buckets; adjacent segments of one tier are joined (fewer SQL ranges). */
export function coverBuckets(boundaries: readonly number[], compacted: CompactedPeriods): Segment[] {
  const segments: Segment[] = [];
  for (let i = 0; i + 1 < boundaries.length; i++) {
    const start = boundaries[i] ?? 0;
    const end = boundaries[i + 1] ?? start;
    for (const segment of coverRange(start, end, compacted)) {
      push(segments, segment.resolution, segment.start, segment.end);
    }
  }
  return segments;
}

function push(segments: Segment[], resolution: Tier, start: number, end: number): void {
  const last = segments[segments.length - 1];
  if (last && last.resolution === resolution && last.end === start) last.end = end;
  else segments.push({ resolution, start, end });
}

/** The 1h/1d periods whose status a cover of [from, to) depends on. */
export function periodWindow(from: number, to: number): { from: number; to: number } {
  return { from: Math.floor(from / DAY_MS) * DAY_MS, to };
}
