import { z } from "zod";
import { BoundedNumber, VALUE_LIMITS } from "./value-range";

const nonEmpty = z.string().min(1).max(256);
const countryCode = z.string().regex(/^[A-Z]{2}$/, "must be an ISO 3166-1 alpha-2 code such as DE");

/**
 * Stricter schemas of the built-in event types, applied after the envelope.
 * `value` rules (ranges in VALUE_LIMITS) and known attrs; other flat attrs are allowed beside them.
 */
export const BUILTIN_TYPES = {
  page_view: {
    value: z.undefined({ error: "page_view carries no value" }).optional(),
    attrs: z.looseObject({
      path: z.string().regex(/^\//, "must start with /").max(1024),
      country: countryCode.optional(),
      device: z.enum(["desktop", "mobile", "tablet", "other"]).optional(),
      user_id: nonEmpty.optional(),
    }),
  },
  api_request: {
    value: z
      .number()
      .min(0, "latency must be ≥ 0 ms")
      .max(VALUE_LIMITS.maxLatencyMs, "latency must be ≤ 86400000 ms (24 h)"),
    attrs: z.looseObject({
      route: z.string().regex(/^\//, "must start with /").max(1024),
      method: z.enum(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]),
      status: z.number().int().min(100).max(599),
      region: nonEmpty.optional(),
    }),
  },
  transaction: {
    value: z.number().min(0, "amount must be ≥ 0").max(VALUE_LIMITS.maxAmount, "amount must be ≤ 1e12"),
    attrs: z.looseObject({
      currency: z.string().regex(/^[A-Z]{3}$/, "must be an ISO 4217 code such as EUR"),
      card_id: nonEmpty,
      customer_id: nonEmpty,
      merchant: nonEmpty,
      country: countryCode.optional(),
      device_id: nonEmpty.optional(),
    }),
  },
  signup: {
    value: z.undefined({ error: "signup carries no value" }).optional(),
    attrs: z.looseObject({
      user_id: nonEmpty,
      plan: nonEmpty.optional(),
      country: countryCode.optional(),
    }),
  },
  error: {
    value: BoundedNumber.optional(),
    attrs: z.looseObject({
      message: z.string().min(1).max(1024),
      code: nonEmpty.optional(),
      route: nonEmpty.optional(),
    }),
  },
} as const;

export type BuiltinType = keyof typeof BUILTIN_TYPES;
export const BUILTIN_TYPE_NAMES = Object.keys(BUILTIN_TYPES) as BuiltinType[];

export function isRegisteredType(type: string): type is BuiltinType {
  return Object.hasOwn(BUILTIN_TYPES, type);
}
