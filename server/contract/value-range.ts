import { z } from "zod";

/**
 * Bounds on every number the pipeline aggregates (docs/decisions/0016). An event's `value` and
 * its numeric attrs (any attr can be a metric's field) lie within ±MAX_MAGNITUDE: integers
 * beyond 2^53 − 1 do not survive JSON parsing unchanged, and with this bound no realistic
 * count of events can overflow a sum (10^15 events × 2^53 ≈ 9·10^30 ≪ 1.8·10^308). Built-in
 * types bound their `value` more tightly.
 */
export const VALUE_LIMITS = {
  maxMagnitude: Number.MAX_SAFE_INTEGER,
  /** api_request: latency in ms, 0 to 24 h. */
  maxLatencyMs: 86_400_000,
  /** transaction: amount in currency units, 0 to 10^12. */
  maxAmount: 1e12,
} as const;

const MAX_TEXT = String(VALUE_LIMITS.maxMagnitude);

/** True for a number the pipeline may add into a state: finite and within ±MAX_MAGNITUDE. */
export function isAggregatable(value: number): boolean {
  return Math.abs(value) <= VALUE_LIMITS.maxMagnitude;
}

/** A number within ±MAX_MAGNITUDE (what the envelope's `value` and numeric attrs accept). */
export const BoundedNumber = z
  .number()
  .min(-VALUE_LIMITS.maxMagnitude, `must be ≥ -${MAX_TEXT} (send larger numbers as strings)`)
  .max(VALUE_LIMITS.maxMagnitude, `must be ≤ ${MAX_TEXT} (send larger numbers as strings)`);
export type BoundedNumber = z.infer<typeof BoundedNumber>;
