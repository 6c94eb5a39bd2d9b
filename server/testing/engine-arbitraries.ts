import fc from "fast-check";
import {
  MetricDefinition,
  type FilterCondition,
  type MetricDefinitionInput,
  type ValidEvent,
} from "../contract";

/**
 * fast-check generators for the engine's property tests: events whose attrs come and go and
 * change type (so every filter op meets matches, misses and type mismatches), deliveries with
 * shuffles, duplicates and batch splits, and metric definitions over the same attrs.
 */

const MINUTE_MS = 60_000;
/** Event times span this long after `t0`: beyond the allowed lateness, so some come too late. */
export const SPAN_MS = 40 * MINUTE_MS;

/** Attr values: text, numbers (negative, fractional, 0) and booleans, with overlaps like 500 and "500". */
const ROUTES = ["/a", "/b", "", "(none)", 7] as const;
const STATUSES = [200, 404, 500, 503, "500", 0, -1.5] as const;
const COMPARED = [-2, 0, 200, 404, 500, 503] as const;
const LISTED = ["/a", "", "500", 7, 404, 500, -1.5] as const;
const VALUES = ["/a", "/b", "", "500", 500, 404, 7, 0, true, false] as const;
const ATTRS = ["route", "status", "user_id", "cached", "region", "constructor"] as const;

const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 4 });

export function arbEvent(t0: number): fc.Arbitrary<Omit<ValidEvent, "id">> {
  return fc
    .record({
      type: fc.constantFrom("api_request", "api_request", "page_view"),
      offset: fc.integer({ min: 0, max: SPAN_MS }),
      route: optional(fc.constantFrom(...ROUTES)),
      status: optional(fc.constantFrom(...STATUSES)),
      user: optional(
        fc.oneof(
          fc.integer({ min: 0, max: 60 }).map((u) => `u${u}`),
          fc.constantFrom(7, true),
        ),
      ),
      cached: optional(fc.boolean()),
      value: optional(
        fc.oneof(fc.double({ min: 0.5, max: 5000, noNaN: true }), fc.constantFrom(0, -0, -3.25, 1e-12)),
      ),
    })
    .map((r) => {
      const attrs: ValidEvent["attrs"] = {};
      if (r.route !== undefined) attrs.route = r.route;
      if (r.status !== undefined) attrs.status = r.status;
      if (r.user !== undefined) attrs.user_id = r.user;
      if (r.cached !== undefined) attrs.cached = r.cached;
      return {
        type: r.type,
        ts: t0 + r.offset,
        v: 1,
        attrs,
        ...(r.value === undefined ? {} : { value: r.value }),
      };
    });
}

/** A delivery: events in an order with shuffles, then duplicates, then split into batches. */
export function arbDelivery(t0: number, maxEvents = 150) {
  return (
    fc
      // size "max": fast-check's default size would keep batches near 10 events.
      .array(arbEvent(t0), { minLength: 1, maxLength: maxEvents, size: "max" })
      .chain((events) => {
        const withIds = events.map((e, i): ValidEvent => ({ ...e, id: `e${i}` }));
        return fc.record({
          order: fc.shuffledSubarray(withIds, { minLength: withIds.length, maxLength: withIds.length }),
          duplicates: fc.array(fc.nat({ max: withIds.length - 1 }), { maxLength: 30, size: "max" }),
          cuts: fc.array(fc.nat({ max: withIds.length + 30 }), { maxLength: 12 }),
        });
      })
      .map(({ order, duplicates, cuts }) => {
        // A duplicate is a redelivery or a producer retry: it comes after its original.
        const stream = [...order];
        for (const index of duplicates) {
          const original = order[index] as ValidEvent;
          const at = stream.indexOf(original) + 1 + (index % 5);
          stream.splice(Math.min(at, stream.length), 0, { ...original });
        }
        const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
        const batches: ValidEvent[][] = [];
        let from = 0;
        for (const point of [...points, stream.length]) {
          if (point > from) batches.push(stream.slice(from, point));
          from = Math.max(from, point);
        }
        return { stream, batches };
      })
  );
}

const arbCondition: fc.Arbitrary<FilterCondition> = fc.oneof(
  fc.record({
    attr: fc.constantFrom(...ATTRS),
    op: fc.constantFrom("eq" as const, "neq" as const),
    value: fc.constantFrom(...VALUES),
  }),
  fc.record({
    attr: fc.constantFrom(...ATTRS),
    op: fc.constantFrom("gt" as const, "gte" as const, "lt" as const, "lte" as const),
    value: fc.constantFrom(...COMPARED),
  }),
  fc.record({
    attr: fc.constantFrom(...ATTRS),
    op: fc.constant("in" as const),
    value: fc.uniqueArray(fc.constantFrom(...LISTED), { minLength: 1, maxLength: 3 }),
  }),
  fc.record({ attr: fc.constantFrom(...ATTRS), op: fc.constantFrom("exists" as const, "missing" as const) }),
);

/** Any definition over the generated attrs; `name` is set by the caller. */
export const arbDefinition: fc.Arbitrary<Omit<MetricDefinitionInput, "name">> = fc.record({
  eventType: fc.constantFrom("api_request", "page_view"),
  aggregation: fc.constantFrom("count", "sum", "avg", "min", "max", "p50", "p99", "distinct"),
  field: fc.constantFrom("value", ...ATTRS),
  filter: fc.array(arbCondition, { maxLength: 3 }),
  groupBy: fc.option(fc.constantFrom(...ATTRS), { nil: null }),
  enabled: fc.oneof(
    { arbitrary: fc.constant(true), weight: 9 },
    { arbitrary: fc.constant(false), weight: 1 },
  ),
});

const define = (input: MetricDefinitionInput) => MetricDefinition.parse(input);

/**
 * Definitions that between them use every filter op, `value` and attrs as the field, numeric
 * and distinct aggregations, and a group-by, whatever the random ones happen to be.
 */
export const FIXED_DEFINITIONS: readonly MetricDefinition[] = [
  { name: "api_latency", eventType: "api_request", aggregation: "p95", field: "value", groupBy: "route" },
  {
    name: "api_errors",
    eventType: "api_request",
    aggregation: "count",
    filter: [{ attr: "status", op: "gte", value: 500 }],
  },
  { name: "active_users", eventType: "api_request", aggregation: "distinct", field: "user_id" },
  {
    name: "status_500",
    eventType: "api_request",
    aggregation: "sum",
    filter: [{ attr: "status", op: "eq", value: 500 }],
    groupBy: "user_id",
  },
  {
    name: "not_a",
    eventType: "api_request",
    aggregation: "avg",
    filter: [{ attr: "route", op: "neq", value: "/a" }],
  },
  {
    name: "mid_status",
    eventType: "api_request",
    aggregation: "p50",
    filter: [
      { attr: "status", op: "gt", value: 200 },
      { attr: "status", op: "lt", value: 503 },
    ],
  },
  {
    name: "low_status",
    eventType: "api_request",
    aggregation: "max",
    field: "status",
    filter: [{ attr: "status", op: "lte", value: 404 }],
  },
  {
    name: "listed_routes",
    eventType: "api_request",
    aggregation: "min",
    filter: [{ attr: "route", op: "in", value: ["/a", 7, ""] }],
    groupBy: "status",
  },
  {
    name: "cached_routes",
    eventType: "api_request",
    aggregation: "distinct",
    field: "route",
    filter: [{ attr: "cached", op: "exists" }],
    groupBy: "cached",
  },
  {
    name: "uncached_views",
    eventType: "page_view",
    aggregation: "count",
    filter: [{ attr: "cached", op: "missing" }],
    groupBy: "user_id",
  },
  { name: "disabled", eventType: "api_request", aggregation: "count", enabled: false },
].map((d) => define(d as MetricDefinitionInput));
