import { AttrValue, EVENT_LIMITS, type Attrs, type Reason } from "./events";
import { describeProblem, printable, unsafeIdentifier, unstorable } from "./text";

/**
 * Keys that name Object.prototype machinery: assigning them to a plain object changes its
 * prototype instead of adding a key, so they would vanish without a trace.
 */
export const RESERVED_ATTR_KEYS: readonly string[] = ["__proto__", "constructor", "prototype"];

const attrPath = (key: string) => `attrs.${printable(key, EVENT_LIMITS.maxAttrKeyLength)}`;

function keyReason(key: string): Reason | undefined {
  const path = attrPath(key);
  if (key.length === 0) return { code: "invalid_attrs", message: "attrs: an attr key is empty", path };
  if (key.length > EVENT_LIMITS.maxAttrKeyLength)
    return {
      code: "invalid_attrs",
      message: `${path}: the key is ${key.length} characters long (at most ${EVENT_LIMITS.maxAttrKeyLength})`,
      path,
    };
  if (RESERVED_ATTR_KEYS.includes(key))
    return {
      code: "invalid_attrs",
      message: `${path}: "${key}" is a reserved name and cannot be an attr`,
      path,
    };
  const problem = unsafeIdentifier(key);
  if (problem) return { code: "invalid_attrs", message: describeProblem(`${path}: the key`, problem), path };
  return undefined;
}

function valueReason(key: string, value: unknown): Reason | undefined {
  const path = attrPath(key);
  const parsed = AttrValue.safeParse(value);
  if (!parsed.success) {
    const kind = value === null ? "null" : Array.isArray(value) ? "an array" : typeof value;
    const detail =
      typeof value === "string"
        ? `the string is ${value.length} characters long (at most ${EVENT_LIMITS.maxAttrStringLength})`
        : typeof value === "number"
          ? `the number ${parsed.error.issues[0]?.message ?? "must be finite"}`
          : `attrs are flat: a value must be a string, number or boolean, not ${kind}`;
    return { code: "invalid_attrs", message: `${path}: ${detail}`, path };
  }
  const problem = typeof value === "string" ? unstorable(value) : undefined;
  if (problem)
    return { code: "invalid_attrs", message: describeProblem(`${path}: the value`, problem), path };
  return undefined;
}

/**
 * Checks `attrs` (a flat object of at most 32 string/number/boolean values with storable keys
 * and strings). Over the key limit, the keys are not checked one by one: one reason is enough.
 */
export function checkAttrs(input: unknown): { attrs?: Attrs; reasons: Reason[] } {
  if (input === undefined) return { attrs: {}, reasons: [] };
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    return {
      reasons: [
        {
          code: "invalid_attrs",
          message: "attrs must be an object of string, number or boolean values",
          path: "attrs",
        },
      ],
    };
  }
  const keys = Object.keys(input);
  if (keys.length > EVENT_LIMITS.maxAttrs) {
    const message = `attrs has ${keys.length} keys (at most ${EVENT_LIMITS.maxAttrs})`;
    return { reasons: [{ code: "invalid_attrs", message, path: "attrs" }] };
  }
  const attrs: Attrs = {};
  const reasons: Reason[] = [];
  for (const key of keys) {
    const value = (input as Record<string, unknown>)[key];
    const reason = keyReason(key) ?? valueReason(key, value);
    if (reason) reasons.push(reason);
    else attrs[key] = value as AttrValue;
  }
  return reasons.length > 0 ? { reasons } : { attrs, reasons };
}
