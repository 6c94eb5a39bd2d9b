import { describe, expect, it } from "vitest";
import {
  MetricDefinition,
  type Attrs,
  type FilterCondition,
  type MetricDefinitionInput,
  type ValidEvent,
} from "../contract";
import { counts, groupsOf, inputOf } from "../testing/metric-oracle";
import { ALL_GROUPS, fieldInput, groupKeys, matches, MISSING_GROUP } from "./metric-match";

/**
 * Table-driven: every row is written out by hand from the contract (server/contract/metrics.ts)
 * and checked against the engine and against the independent oracle (server/testing/
 * metric-oracle.ts) alike, so neither can drift from what the table says.
 */
const T = Date.UTC(2026, 11, 1, 8);
const event = (attrs: Attrs, extra: Partial<ValidEvent> = {}): ValidEvent => ({
  id: "e",
  type: "api_request",
  ts: T,
  v: 1,
  attrs,
  ...extra,
});
const definition = (input: Partial<MetricDefinitionInput>): MetricDefinition =>
  MetricDefinition.parse({ name: "m", eventType: "api_request", aggregation: "count", ...input });
const withCondition = (condition: FilterCondition) => definition({ filter: [condition] });

/**
 * The valid attr names (lower case) every plain object answers to. Events cannot send them
 * (reserved, server/contract/attrs.ts), but a definition can name them: they are never present.
 */
const PROTOTYPE_NAMES = ["constructor", "__proto__"];

type Row = [string, FilterCondition, Attrs, boolean];
const CONDITIONS: Row[] = [
  ["eq: same number", { attr: "status", op: "eq", value: 500 }, { status: 500 }, true],
  ["eq: another number", { attr: "status", op: "eq", value: 500 }, { status: 501 }, false],
  ["eq: a number is not its text", { attr: "status", op: "eq", value: 500 }, { status: "500" }, false],
  ["eq: text is not a number", { attr: "status", op: "eq", value: "500" }, { status: 500 }, false],
  ["eq: same text", { attr: "route", op: "eq", value: "/a" }, { route: "/a" }, true],
  ["eq: text is case-sensitive", { attr: "route", op: "eq", value: "/a" }, { route: "/A" }, false],
  ["eq: same boolean", { attr: "cached", op: "eq", value: true }, { cached: true }, true],
  ["eq: a boolean is not its text", { attr: "cached", op: "eq", value: true }, { cached: "true" }, false],
  ["eq: a boolean is not 1", { attr: "cached", op: "eq", value: true }, { cached: 1 }, false],
  ["eq: 0 equals -0", { attr: "n", op: "eq", value: 0 }, { n: -0 }, true],
  ["eq: missing attr", { attr: "status", op: "eq", value: 500 }, {}, false],
  ["neq: same number", { attr: "status", op: "neq", value: 500 }, { status: 500 }, false],
  ["neq: another number", { attr: "status", op: "neq", value: 500 }, { status: 501 }, true],
  ["neq: other type", { attr: "status", op: "neq", value: 500 }, { status: "500" }, true],
  ["neq: missing attr", { attr: "status", op: "neq", value: 500 }, {}, true],
  ["gt: above", { attr: "status", op: "gt", value: 500 }, { status: 501 }, true],
  ["gt: equal", { attr: "status", op: "gt", value: 500 }, { status: 500 }, false],
  ["gt: below", { attr: "status", op: "gt", value: 500 }, { status: 499 }, false],
  ["gt: numeric text does not compare", { attr: "status", op: "gt", value: 500 }, { status: "501" }, false],
  ["gt: boolean does not compare", { attr: "status", op: "gt", value: 0 }, { status: true }, false],
  ["gt: missing attr", { attr: "status", op: "gt", value: 500 }, {}, false],
  ["gt: negative numbers", { attr: "delta", op: "gt", value: -2 }, { delta: -1.5 }, true],
  ["gte: above", { attr: "status", op: "gte", value: 500 }, { status: 501 }, true],
  ["gte: equal", { attr: "status", op: "gte", value: 500 }, { status: 500 }, true],
  ["gte: below", { attr: "status", op: "gte", value: 500 }, { status: 499.999 }, false],
  ["gte: numeric text does not compare", { attr: "status", op: "gte", value: 500 }, { status: "500" }, false],
  ["gte: missing attr", { attr: "status", op: "gte", value: 500 }, {}, false],
  ["lt: below", { attr: "status", op: "lt", value: 500 }, { status: 499 }, true],
  ["lt: equal", { attr: "status", op: "lt", value: 500 }, { status: 500 }, false],
  ["lt: above", { attr: "status", op: "lt", value: 500 }, { status: 501 }, false],
  ["lt: text does not compare", { attr: "status", op: "lt", value: 500 }, { status: "1" }, false],
  ["lt: missing attr", { attr: "status", op: "lt", value: 500 }, {}, false],
  ["lte: below", { attr: "status", op: "lte", value: 500 }, { status: 499 }, true],
  ["lte: equal", { attr: "status", op: "lte", value: 500 }, { status: 500 }, true],
  ["lte: above", { attr: "status", op: "lte", value: 500 }, { status: 500.001 }, false],
  ["lte: boolean does not compare", { attr: "status", op: "lte", value: 1 }, { status: false }, false],
  ["lte: missing attr", { attr: "status", op: "lte", value: 500 }, {}, false],
  ["in: listed text", { attr: "region", op: "in", value: ["eu", 7] }, { region: "eu" }, true],
  ["in: listed number", { attr: "region", op: "in", value: ["eu", 7] }, { region: 7 }, true],
  ["in: the text of a listed number", { attr: "region", op: "in", value: ["eu", 7] }, { region: "7" }, false],
  ["in: not listed", { attr: "region", op: "in", value: ["eu", 7] }, { region: "us" }, false],
  [
    "in: a boolean is never listed",
    { attr: "region", op: "in", value: ["true", 1] },
    { region: true },
    false,
  ],
  ["in: missing attr", { attr: "region", op: "in", value: ["eu"] }, {}, false],
  ["exists: present", { attr: "user_id", op: "exists" }, { user_id: "u1" }, true],
  ["exists: present, empty text", { attr: "user_id", op: "exists" }, { user_id: "" }, true],
  ["exists: present, false", { attr: "flag", op: "exists" }, { flag: false }, true],
  ["exists: missing", { attr: "user_id", op: "exists" }, { other: 1 }, false],
  ["missing: missing", { attr: "user_id", op: "missing" }, {}, true],
  ["missing: present", { attr: "user_id", op: "missing" }, { user_id: 0 }, false],
  ...PROTOTYPE_NAMES.flatMap((attr): Row[] => [
    [`exists: ${attr} is not an attr of every event`, { attr, op: "exists" }, { route: "/a" }, false],
    [`missing: ${attr} is missing when not sent`, { attr, op: "missing" }, { route: "/a" }, true],
    [`neq: ${attr} is missing when not sent`, { attr, op: "neq", value: "x" }, {}, true],
  ]),
];

describe("filter conditions", () => {
  it.each(CONDITIONS)("%s", (_name, condition, attrs, expected) => {
    const d = withCondition(condition);
    expect(matches(d, event(attrs))).toBe(expected);
    expect(counts(d, event(attrs))).toBe(expected);
  });

  it("every filter op has a row that holds and one that does not", () => {
    const ops = new Map<string, Set<boolean>>();
    for (const [, condition, , expected] of CONDITIONS)
      ops.set(condition.op, (ops.get(condition.op) ?? new Set()).add(expected));
    expect(Object.fromEntries([...ops].map(([op, seen]) => [op, seen.size]))).toEqual({
      eq: 2,
      neq: 2,
      gt: 2,
      gte: 2,
      lt: 2,
      lte: 2,
      in: 2,
      exists: 2,
      missing: 2,
    });
  });
});

describe("matches", () => {
  const errors = definition({
    filter: [
      { attr: "status", op: "gte", value: 500 },
      { attr: "route", op: "neq", value: "/health" },
    ],
  });
  it.each([
    ["every condition holds", event({ status: 503, route: "/pay" }), true],
    ["one condition fails", event({ status: 503, route: "/health" }), false],
    ["the other fails", event({ status: 200, route: "/pay" }), false],
    ["another event type", event({ status: 503, route: "/pay" }, { type: "page_view" }), false],
  ])("all conditions must hold: %s", (_name, e, expected) => {
    expect(matches(errors, e)).toBe(expected);
    expect(counts(errors, e)).toBe(expected);
  });

  it("an empty filter takes every event of the type", () => {
    expect(matches(definition({}), event({}))).toBe(true);
    expect(matches(definition({}), event({}, { type: "signup" }))).toBe(false);
  });
});

describe("groupKeys", () => {
  const byRoute = definition({ groupBy: "route" });
  it.each([
    ["no group-by: the total only", definition({}), { route: "/a" }, [ALL_GROUPS]],
    ["a text group", byRoute, { route: "/a" }, [ALL_GROUPS, "/a"]],
    ["a number group, as text", byRoute, { route: 503 }, [ALL_GROUPS, "503"]],
    ["a boolean group, as text", byRoute, { route: true }, [ALL_GROUPS, "true"]],
    ["the attr missing", byRoute, { status: 1 }, [ALL_GROUPS, MISSING_GROUP]],
    // "" is the total row's key: counting the event there twice would double the total.
    ["an empty text names no group", byRoute, { route: "" }, [ALL_GROUPS, MISSING_GROUP]],
    ...PROTOTYPE_NAMES.map((attr): [string, MetricDefinition, Attrs, string[]] => [
      `grouped by ${attr}, not sent`,
      definition({ groupBy: attr }),
      { route: "/a" },
      [ALL_GROUPS, MISSING_GROUP],
    ]),
  ])("%s", (_name, d, attrs, expected) => {
    expect(groupKeys(d, event(attrs))).toEqual(expected);
    expect(groupsOf(d, event(attrs))).toEqual(expected);
    expect([ALL_GROUPS, MISSING_GROUP]).toEqual(["", "(none)"]);
  });
});

describe("fieldInput", () => {
  const numeric = (field: string, aggregation: MetricDefinition["aggregation"] = "p95") =>
    definition({ aggregation, field });
  const distinct = (field: string) => definition({ aggregation: "distinct", field });
  it.each([
    ["value feeds the number", numeric("value"), event({}, { value: 12.5 }), { value: 12.5 }],
    ["count also feeds it (sum, avg)", numeric("value", "count"), event({}, { value: 3 }), { value: 3 }],
    ["no value: only the count", numeric("value"), event({}), {}],
    ["a numeric attr", numeric("amount"), event({ amount: -4 }), { value: -4 }],
    ["a text attr feeds no number", numeric("amount"), event({ amount: "4" }), {}],
    ["a boolean attr feeds no number", numeric("amount"), event({ amount: true }), {}],
    ["an attr not sent", numeric("amount"), event({ other: 1 }), {}],
    ["a number beyond the bounds (old rows)", numeric("value"), event({}, { value: 2 ** 60 }), {}],
    ["distinct of a text attr", distinct("user_id"), event({ user_id: "u1" }), { distinctKey: "u1" }],
    ["distinct of a number attr, as text", distinct("user_id"), event({ user_id: 7 }), { distinctKey: "7" }],
    [
      "distinct of a boolean, as text",
      distinct("user_id"),
      event({ user_id: false }),
      { distinctKey: "false" },
    ],
    ["distinct of an empty text", distinct("user_id"), event({ user_id: "" }), { distinctKey: "" }],
    ["distinct of value", distinct("value"), event({}, { value: 2.5 }), { distinctKey: "2.5" }],
    ["distinct, attr not sent", distinct("user_id"), event({}), {}],
    ...PROTOTYPE_NAMES.flatMap((attr): [string, MetricDefinition, ValidEvent, object][] => [
      [`distinct of ${attr}, not sent`, distinct(attr), event({ route: "/a" }), {}],
      [`number of ${attr}, not sent`, numeric(attr), event({ route: "/a" }), {}],
    ]),
  ])("%s", (_name, d, e, expected) => {
    expect(fieldInput(d, e)).toEqual(expected);
    expect(inputOf(d, e)).toEqual(expected);
  });
});
