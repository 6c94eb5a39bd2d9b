import {
  isAggregatable,
  type Attrs,
  type AttrValue,
  type FilterCondition,
  type MetricDefinition,
  type ValidEvent,
} from "../contract";

/** Group key of events that lack the group-by attr ('' is reserved for the all-groups row). */
export const MISSING_GROUP = "(none)";
/** Group key of the row that aggregates every group of a metric. */
export const ALL_GROUPS = "";

/**
 * The event's own attr. A definition may name `constructor` or `__proto__` (valid attr names
 * that events cannot send): a plain lookup would find Object.prototype's instead.
 */
function attrOf(attrs: Attrs, name: string): AttrValue | undefined {
  return Object.hasOwn(attrs, name) ? attrs[name] : undefined;
}

function holds(condition: FilterCondition, attrs: Attrs): boolean {
  const actual = attrOf(attrs, condition.attr);
  switch (condition.op) {
    case "exists":
      return actual !== undefined;
    case "missing":
      return actual === undefined;
    case "eq":
      return actual === condition.value;
    case "neq":
      return actual !== condition.value;
    case "in":
      return actual !== undefined && typeof actual !== "boolean" && condition.value.includes(actual);
    case "gt":
      return typeof actual === "number" && actual > condition.value;
    case "gte":
      return typeof actual === "number" && actual >= condition.value;
    case "lt":
      return typeof actual === "number" && actual < condition.value;
    case "lte":
      return typeof actual === "number" && actual <= condition.value;
  }
}

export function matches(definition: MetricDefinition, event: ValidEvent): boolean {
  return event.type === definition.eventType && definition.filter.every((c) => holds(c, event.attrs));
}

/**
 * Group keys an event contributes to: the all-groups row, plus its own group when grouped. An
 * empty text groups as missing: as its own key it would be the all-groups row, counted twice.
 */
export function groupKeys(definition: MetricDefinition, event: ValidEvent): string[] {
  if (!definition.groupBy) return [ALL_GROUPS];
  const value = attrOf(event.attrs, definition.groupBy);
  return [ALL_GROUPS, value === undefined || value === "" ? MISSING_GROUP : String(value)];
}

/**
 * What an event feeds into the state: a number for the value sketch (numeric aggregations)
 * or a string for the distinct sketch (`distinct`). Count is always fed. A number outside the
 * contract's bounds (only in rows stored before them) feeds nothing, as a text attr does.
 */
export function fieldInput(
  definition: MetricDefinition,
  event: ValidEvent,
): { value?: number; distinctKey?: string } {
  const raw = definition.field === "value" ? event.value : attrOf(event.attrs, definition.field);
  if (definition.aggregation === "distinct") {
    return raw === undefined ? {} : { distinctKey: String(raw) };
  }
  return typeof raw === "number" && isAggregatable(raw) ? { value: raw } : {};
}
