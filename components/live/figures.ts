import type { BucketState, MetricBucket } from "../../server/contract";
import type { Slot } from "./live-series";

/** A computed figure in one bucket slot, with the state it inherits from its inputs. */
export interface Point {
  t: number;
  value: number | null;
  state: BucketState;
}

/** open if any input is open, else revised if any is revised, else final. */
function combinedState(states: BucketState[]): BucketState {
  if (states.includes("open")) return "open";
  return states.includes("revised") ? "revised" : "final";
}

/** Figures from aligned slot arrays (same resolution and range), one per slot. */
export function combine(
  series: readonly Slot[][],
  figure: (buckets: (MetricBucket | null)[]) => number | null,
): Point[] {
  const first = series[0] ?? [];
  return first.map((slot, i) => {
    const column = series.map((s) => s[i]);
    return {
      t: slot.t,
      value: figure(column.map((c) => c?.bucket ?? null)),
      state: combinedState(column.map((c) => c?.state ?? "open")),
    };
  });
}

export const perSecond = (resolutionMs: number) => (buckets: (MetricBucket | null)[]) =>
  buckets.reduce((sum, b) => sum + (b?.summary.count ?? 0), 0) / (resolutionMs / 1000);

export const ratio = ([part, whole]: (MetricBucket | null)[]) => {
  const total = whole?.summary.count ?? 0;
  return total === 0 ? null : (part?.summary.count ?? 0) / total;
};

/** What a tile shows: the newest settled figure, the one before it, and a sparkline. */
export interface Tile {
  value: number | null;
  previous: number | null;
  /** Relative change against the previous bucket (null when either is missing or zero). */
  change: number | null;
  state: BucketState | null;
  t: number | null;
  spark: Point[];
}

/**
 * The newest bucket that is no longer open (an open bucket is still filling and would read
 * low), falling back to the newest one; compared with the bucket before it.
 */
export function tileOf(points: readonly Point[], sparkLength = 30): Tile {
  let index = points.length - 1;
  for (let i = points.length - 1; i >= 0; i--) {
    if (points[i]?.state !== "open") {
      index = i;
      break;
    }
  }
  const current = points[index];
  const before = points[index - 1];
  const value = current?.value ?? null;
  const previous = before?.value ?? null;
  return {
    value,
    previous,
    change: value !== null && previous !== null && previous !== 0 ? (value - previous) / previous : null,
    state: current?.state ?? null,
    t: current?.t ?? null,
    spark: points.slice(Math.max(0, points.length - sparkLength)),
  };
}

export type Freshness = "fresh" | "lagging" | "stale" | "unknown";
/** Freshness of the figures: now − watermark (the watermark already trails by the out-of-orderness). */
export function freshnessOf(
  now: number,
  watermark: number | null,
): { lagMs: number | null; level: Freshness } {
  if (watermark === null) return { lagMs: null, level: "unknown" };
  const lagMs = Math.max(0, now - watermark);
  return { lagMs, level: lagMs < 15_000 ? "fresh" : lagMs < 60_000 ? "lagging" : "stale" };
}
