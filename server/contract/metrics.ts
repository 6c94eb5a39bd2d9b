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

/** One condition on an attr; all conditions of a filter must hold. */
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
 * A metric definition (public contract). `field` is `value` or the name of an attr: it feeds
 * the quantile sketch for numeric aggregations, or the distinct-count sketch for `distinct`.
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
