import type { FraudCondition, FraudEffect, FraudRule } from "../../server/contract/fraud";

/** 0.5 → "50.0 %"; null (nothing to divide by) → "—". */
export function percent(value: number | null, digits = 1): string {
  return value === null ? "—" : `${(value * 100).toFixed(digits)} %`;
}

const OP_TEXT: Record<FraudCondition["op"], string> = {
  gt: ">",
  gte: "≥",
  lt: "<",
  lte: "≤",
  is: "is",
  in: "in",
  not_in: "not in",
};

export function describeCondition(c: FraudCondition): string {
  const value = Array.isArray(c.value) ? c.value.join(", ") : String(c.value);
  return `${c.feature} ${OP_TEXT[c.op]} ${value}`;
}

export function describeEffect(e: FraudEffect): string {
  return e.kind === "score" ? `+${e.points} points` : e.kind === "flag" ? "flag at once" : "approve at once";
}

export function describeRule(rule: Pick<FraudRule, "when" | "effect">): string {
  return `${rule.when.map(describeCondition).join(" and ")} → ${describeEffect(rule.effect)}`;
}

/** A feature value as the review panel shows it. */
export function featureText(value: unknown): string {
  if (value === null || value === undefined) return "—";
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : value.toFixed(2);
  return String(value);
}

/** Moves item `index` one place up (-1) or down (+1); out of range leaves the list as it is. */
export function move<T>(list: readonly T[], index: number, by: -1 | 1): T[] {
  const target = index + by;
  if (index < 0 || index >= list.length || target < 0 || target >= list.length) return [...list];
  const next = [...list];
  const [item] = next.splice(index, 1);
  if (item !== undefined) next.splice(target, 0, item);
  return next;
}

/** Parses the condition value typed in the rule form for the feature's kind; null if it is not one. */
export function conditionFrom(
  feature: string,
  kind: "numeric" | "boolean" | "text",
  op: string,
  raw: string,
): FraudCondition | null {
  const text = raw.trim();
  if (kind === "numeric") {
    const value = Number(text);
    if (text === "" || !Number.isFinite(value) || !["gt", "gte", "lt", "lte"].includes(op)) return null;
    return { feature, op, value } as FraudCondition;
  }
  if (kind === "boolean") {
    if (text !== "true" && text !== "false") return null;
    return { feature, op: "is", value: text === "true" } as FraudCondition;
  }
  const values = text
    .split(",")
    .map((v) => v.trim())
    .filter((v) => v !== "");
  if (values.length === 0 || (op !== "in" && op !== "not_in")) return null;
  return { feature, op, value: values } as FraudCondition;
}
