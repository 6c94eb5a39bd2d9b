import { z } from "zod";

export const AGGREGATIONS = [
  "count",
  "sum",
  "avg",
  "min",
  "max",
  "p50",
  "p90",
  "p95",
  "p99",
  "distinct",
] as const;
export const Aggregation = z.enum(AGGREGATIONS);
export type Aggregation = z.infer<typeof Aggregation>;

const ATTR_NAME = /^[a-z_][a-z0-9_]{0,63}$/;

/**
 * One condition on an attr; all conditions of a filter must hold. Only attrs the event carries
 * count. `exists`/`missing` ask whether it carries the attr; `eq` holds for an attr of the same
 * type and value (500 is not "500") and `neq` wherever `eq` does not, a missing attr included;
 * `in` for a string or number attr equal to a listed value; `gt`/`gte`/`lt`/`lte` for a
 * numeric attr only (text never compares).
 */
export const FilterCondition = z.discriminatedUnion("op", [
  z.object({
    attr: z.string().regex(ATTR_NAME),
    op: z.enum(["eq", "neq"]),
    value: z.union([z.string(), z.number(), z.boolean()]),
  }),
  z.object({ attr: z.string().regex(ATTR_NAME), op: z.enum(["gt", "gte", "lt", "lte"]), value: z.number() }),
  z.object({
    attr: z.string().regex(ATTR_NAME),
    op: z.literal("in"),
    value: z
      .array(z.union([z.string(), z.number()]))
      .min(1)
      .max(100),
  }),
  z.object({ attr: z.string().regex(ATTR_NAME), op: z.enum(["exists", "missing"]) }),
]);
export type FilterCondition = z.infer<typeof FilterCondition>;

/**
 * A metric definition (public contract). `field` is `value` or the name of an attr: its number
 * feeds sum, min, max and the quantile sketch for numeric aggregations (text and booleans feed
 * only the count), or its text the distinct-count sketch for `distinct` (7 and "7" are one key).
 * Each event counts in the all-groups row (group key "") and, with `groupBy`, in the row of the
 * attr's text; without the attr, or with an empty text, in "(none)".
 */
export const MetricDefinition = z.object({
  name: z.string().regex(/^[a-z][a-z0-9_.]{0,63}$/, "must match [a-z][a-z0-9_.]{0,63}"),
  description: z.string().max(500).default(""),
  eventType: z.string().regex(/^[a-z][a-z0-9_.]{0,63}$/),
  aggregation: Aggregation,
  field: z.union([z.literal("value"), z.string().regex(ATTR_NAME)]).default("value"),
  filter: z.array(FilterCondition).max(16).default([]),
  groupBy: z.string().regex(ATTR_NAME).nullable().default(null),
  unit: z.string().max(16).default(""),
  enabled: z.boolean().default(true),
});
export type MetricDefinition = z.infer<typeof MetricDefinition>;
export type MetricDefinitionInput = z.input<typeof MetricDefinition>;
