import { VALUE_LIMITS, type FilterCondition, type MetricDefinition, type ValidEvent } from "../contract";

/**
 * An independent oracle of the rollups: what each (metric, bucket, group) row must hold for a
 * set of counted events, written from the contract (DESIGN.md "Metrics and time semantics",
 * the doc comments of server/contract/metrics.ts) straight over the raw events. It shares no
 * code with the engine (server/core/metric-match.ts, engine.ts, aggregate-state.ts): it keeps
 * the exact values and keys instead of sketches, so a wrong filter, field or group key in the
 * engine shows up as a difference here instead of being reproduced.
 */

/** The exact content of one rollup row. */
export interface ExactRollup {
  metric: string;
  bucketStart: number;
  groupKey: string;
  /** Events counted, with or without a value. */
  count: number;
  /** The numbers fed to sum/min/max/percentiles, ascending. */
  values: number[];
  /** The keys fed to the distinct count. */
  distinctKeys: Set<string>;
  /** False for the per-type `events` rows, which keep count, sum, min and max only. */
  sketched: boolean;
}

/** The storage key of the all-groups row, and of the group of events without the attr. */
export const TOTAL_ROW = "";
export const NO_GROUP = "(none)";

/** One readable key per row: metric names hold no spaces, the group is quoted. */
export const rollupKey = (metric: string, bucketStart: number, groupKey: string): string =>
  `${metric} ${new Date(bucketStart).toISOString()} ${JSON.stringify(groupKey)}`;

type AttrLookup = { present: false } | { present: true; value: string | number | boolean };

/** Only the event's own attrs count: `constructor` or `toString` is not an attr of every event. */
function lookup(event: ValidEvent, attr: string): AttrLookup {
  return Object.prototype.hasOwnProperty.call(event.attrs, attr)
    ? { present: true, value: event.attrs[attr] as string | number | boolean }
    : { present: false };
}

/** Same type and same value: 500 is not "500", true is not 1. */
const sameValue = (a: string | number | boolean, b: string | number | boolean) =>
  typeof a === typeof b && a === b;

type Comparison = "gt" | "gte" | "lt" | "lte";
const ORDER: Record<Comparison, (difference: number) => boolean> = {
  gt: (d) => d > 0,
  gte: (d) => d >= 0,
  lt: (d) => d < 0,
  lte: (d) => d <= 0,
};

/**
 * A condition on an attr (contract): `exists`/`missing` ask for the attr itself; `eq` holds for
 * an attr of the same type and value and `neq` wherever `eq` does not (a missing attr too);
 * `in` for a string or number attr equal to one of the listed values; the order comparisons
 * for a numeric attr only.
 */
export function conditionHolds(condition: FilterCondition, event: ValidEvent): boolean {
  const attr = lookup(event, condition.attr);
  switch (condition.op) {
    case "exists":
      return attr.present;
    case "missing":
      return !attr.present;
    case "neq":
      return !(attr.present && sameValue(attr.value, condition.value));
    case "eq":
      return attr.present && sameValue(attr.value, condition.value);
    case "in":
      return attr.present && condition.value.some((listed) => sameValue(attr.value, listed));
    default:
      return (
        attr.present && typeof attr.value === "number" && ORDER[condition.op](attr.value - condition.value)
      );
  }
}

/** Whether an event feeds a definition: enabled, its type, and every condition of its filter. */
export function counts(definition: MetricDefinition, event: ValidEvent): boolean {
  if (!definition.enabled || definition.eventType !== event.type) return false;
  for (const condition of definition.filter) if (!conditionHolds(condition, event)) return false;
  return true;
}

/** The rows an event counts in: always the total, and with a group-by its group (text of the attr). */
export function groupsOf(definition: MetricDefinition, event: ValidEvent): string[] {
  if (definition.groupBy === null) return [TOTAL_ROW];
  const attr = lookup(event, definition.groupBy);
  // An empty text names no group: it would be the total row's key.
  const group = attr.present && attr.value !== "" ? `${attr.value}` : NO_GROUP;
  return [TOTAL_ROW, group];
}

/** The field's raw value: the event's `value`, or an own attr. */
function fieldValue(definition: MetricDefinition, event: ValidEvent): string | number | boolean | undefined {
  if (definition.field === "value") return event.value;
  const attr = lookup(event, definition.field);
  return attr.present ? attr.value : undefined;
}

/**
 * What the event feeds besides its count: for `distinct`, the text of the field's value; for
 * every other aggregation, the field's number within the contract's bounds (-0 as 0). Text
 * and booleans feed no number.
 */
export function inputOf(
  definition: MetricDefinition,
  event: ValidEvent,
): { value?: number; distinctKey?: string } {
  const raw = fieldValue(definition, event);
  if (raw === undefined) return {};
  if (definition.aggregation === "distinct") return { distinctKey: `${raw}` };
  if (typeof raw !== "number" || !(Math.abs(raw) <= VALUE_LIMITS.maxMagnitude)) return {};
  return { value: raw === 0 ? 0 : raw };
}

function row(rows: Map<string, ExactRollup>, metric: string, bucketStart: number, groupKey: string) {
  const key = rollupKey(metric, bucketStart, groupKey);
  let found = rows.get(key);
  if (!found) {
    found = { metric, bucketStart, groupKey, count: 0, values: [], distinctKeys: new Set(), sketched: true };
    rows.set(key, found);
  }
  return found;
}

/** The start of the UTC-aligned bucket of `bucketMs` holding `ts`. */
const floorTo = (ts: number, bucketMs: number) => ts - (((ts % bucketMs) + bucketMs) % bucketMs);

const sortValues = (rows: Map<string, ExactRollup>) => {
  for (const r of rows.values()) r.values.sort((a, b) => a - b);
  return rows;
};

/** Rows of every definition for `events`, all counted (too-late events left out by the caller). */
export function oracleRollups(
  definitions: readonly MetricDefinition[],
  events: Iterable<ValidEvent>,
  bucketMs = 60_000,
): Map<string, ExactRollup> {
  const rows = new Map<string, ExactRollup>();
  for (const event of events) {
    const bucketStart = floorTo(event.ts, bucketMs);
    for (const definition of definitions) {
      if (!counts(definition, event)) continue;
      const input = inputOf(definition, event);
      for (const group of groupsOf(definition, event)) {
        const target = row(rows, definition.name, bucketStart, group);
        target.count += 1;
        if (input.value !== undefined) target.values.push(input.value);
        if (input.distinctKey !== undefined) target.distinctKeys.add(input.distinctKey);
      }
    }
  }
  return sortValues(rows);
}

/** The per-type `events` rows (server/core/event-counts.ts): count, sum, min, max of `value`. */
export function oracleEventCounts(events: Iterable<ValidEvent>): Map<string, ExactRollup> {
  const rows = new Map<string, ExactRollup>();
  for (const event of events) {
    const target = row(rows, "events", floorTo(event.ts, 60_000), event.type);
    target.sketched = false;
    target.count += 1;
    const value = event.value;
    if (value !== undefined && Math.abs(value) <= VALUE_LIMITS.maxMagnitude)
      target.values.push(value === 0 ? 0 : value);
  }
  return sortValues(rows);
}
