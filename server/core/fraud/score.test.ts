import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  FraudRuleSet,
  NUMERIC_FEATURES,
  type FraudCondition,
  type FraudFeatures,
  type FraudRuleInput,
  type FraudRuleSetInput,
} from "../../contract/fraud";
import { DEFAULT_RULE_SET } from "./default-rules";
import { scoreTransaction, type FraudSubject } from "./score";
import { featuresWith } from "./testing";

const subject: FraudSubject = { card: "card1", customer: "cust1", device: "dev1", country: "DE" };
const set = (input: Partial<FraudRuleSetInput>) => FraudRuleSet.parse({ flagThreshold: 50, ...input });
const rule = (
  id: string,
  points: number,
  value: number,
  extra: Partial<FraudRuleInput> = {},
): FraudRuleInput => ({
  id,
  when: [{ feature: "card_count_1m", op: "gte", value }],
  effect: { kind: "score", points },
  ...extra,
});

describe("scoreTransaction", () => {
  const f = featuresWith({ card_count_1m: 6, amount: 3, new_device: true, merchant_category: "gambling" });
  it.each([
    ["nothing matches", set({ rules: [rule("a", 40, 10)] }), "approved", 0, []],
    ["one rule below the threshold", set({ rules: [rule("a", 40, 5)] }), "approved", 40, ["a"]],
    ["two rules reach it", set({ rules: [rule("a", 40, 5), rule("b", 10, 6)] }), "flagged", 50, ["a", "b"]],
    ["points cap at 100", set({ rules: [rule("a", 80, 5), rule("b", 80, 6)] }), "flagged", 100, ["a", "b"]],
    ["a shadow rule never counts", set({ rules: [rule("a", 80, 5, { shadow: true })] }), "approved", 0, []],
    [
      "a direct flag decides",
      set({ rules: [rule("a", 10, 5), rule("b", 1, 1, { effect: { kind: "flag" } }), rule("c", 5, 1)] }),
      "flagged",
      100,
      ["a", "b"],
    ],
    [
      "a direct approve decides",
      set({ rules: [rule("a", 90, 5, { effect: { kind: "approve" } }), rule("b", 90, 1)] }),
      "approved",
      0,
      ["a"],
    ],
    [
      "allow list first, even when blocked",
      set({
        allow: [{ kind: "customer", value: "cust1" }],
        block: [{ kind: "card", value: "card1" }],
        rules: [rule("a", 90, 1)],
      }),
      "approved",
      0,
      ["allow:customer"],
    ],
    ["block list", set({ block: [{ kind: "country", value: "DE" }] }), "flagged", 100, ["block:country"]],
    [
      "a shadow block entry does not decide",
      set({ block: [{ kind: "device", value: "dev1", shadow: true }] }),
      "approved",
      0,
      [],
    ],
    [
      "boolean and text conditions",
      set({
        rules: [
          {
            id: "nd",
            when: [{ feature: "new_device", op: "is", value: true }],
            effect: { kind: "score", points: 30 },
          },
          {
            id: "cat",
            when: [{ feature: "merchant_category", op: "in", value: ["gambling"] }],
            effect: { kind: "score", points: 30 },
          },
          {
            id: "notcat",
            when: [{ feature: "merchant_category", op: "not_in", value: ["gambling"] }],
            effect: { kind: "score", points: 30 },
          },
        ],
      }),
      "flagged",
      60,
      ["nd", "cat"],
    ],
  ])("%s", (_name, ruleSet, decision, score, reasons) => {
    const verdict = scoreTransaction(ruleSet, subject, f);
    expect(verdict.decision).toBe(decision);
    expect(verdict.score).toBe(score);
    expect(verdict.reasons.map((r) => r.rule)).toEqual(reasons);
  });

  it("logs shadow hits and names the detail", () => {
    const verdict = scoreTransaction(
      set({
        rules: [rule("a", 80, 5, { shadow: true })],
        block: [{ kind: "device", value: "dev1", shadow: true }],
      }),
      subject,
      f,
    );
    expect(verdict.hits).toEqual([
      { rule: "block:device", shadow: true, detail: "device dev1" },
      { rule: "a", shadow: true, detail: "card_count_1m 6 ≥ 5" },
    ]);
  });

  it("never matches a null feature", () => {
    const verdict = scoreTransaction(
      set({
        rules: [
          { id: "z", when: [{ feature: "amount_z_90d", op: "lt", value: 100 }], effect: { kind: "flag" } },
        ],
      }),
      subject,
      featuresWith({ amount_z_90d: null }),
    );
    expect(verdict.decision).toBe("approved");
  });

  it("never matches a feature a stored decision lacks (back-tests of older rows)", () => {
    const features = { amount: 3 } as unknown as ReturnType<typeof featuresWith>;
    const ruleSet = set({
      rules: [
        { id: "t", when: [{ feature: "country", op: "not_in", value: ["DE"] }], effect: { kind: "flag" } },
        { id: "n", when: [{ feature: "card_count_1m", op: "lt", value: 5 }], effect: { kind: "flag" } },
      ],
    });
    expect(scoreTransaction(ruleSet, subject, features)).toMatchObject({ decision: "approved", hits: [] });
  });

  it("flags the default set's card-testing pattern", () => {
    const verdict = scoreTransaction(
      DEFAULT_RULE_SET,
      subject,
      featuresWith({ card_count_1m: 5, amount: 1 }),
    );
    expect(verdict).toMatchObject({ decision: "flagged", score: 70 });
  });
});

// Reference for score rules only (no lists, no direct actions): sum of the points of live rules
// whose every comparison holds, written as a table of comparators rather than the switch.
const COMPARE: Record<string, (a: number, b: number) => boolean> = {
  gt: (a, b) => a > b,
  gte: (a, b) => a >= b,
  lt: (a, b) => a < b,
  lte: (a, b) => a <= b,
};
const numericCondition = fc.record({
  feature: fc.constantFrom(...NUMERIC_FEATURES.slice(0, 8)),
  op: fc.constantFrom("gt", "gte", "lt", "lte"),
  value: fc.integer({ min: 0, max: 10 }),
}) as fc.Arbitrary<FraudCondition & { op: "gt" | "gte" | "lt" | "lte"; value: number }>;
const scoreRules = fc.uniqueArray(
  fc.record({
    id: fc.stringMatching(/^[a-z]{1,6}$/),
    when: fc.array(numericCondition, { minLength: 1, maxLength: 3 }),
    points: fc.integer({ min: 1, max: 100 }),
    shadow: fc.boolean(),
  }),
  { selector: (r) => r.id, maxLength: 8 },
);
const featureValues = fc
  .array(fc.option(fc.integer({ min: 0, max: 10 }), { nil: null }), { minLength: 8, maxLength: 8 })
  .map((values) => {
    const over: Partial<FraudFeatures> = {};
    NUMERIC_FEATURES.slice(0, 8).forEach(
      (n, i) => ((over as Record<string, number | null>)[n] = values[i] ?? null),
    );
    return featuresWith(over);
  });

describe("scoreTransaction properties", () => {
  it("score = capped sum of live matching rules; decision follows the threshold", () => {
    fc.assert(
      fc.property(
        scoreRules,
        featureValues,
        fc.integer({ min: 1, max: 100 }),
        (rules, features, threshold) => {
          const ruleSet = FraudRuleSet.parse({
            flagThreshold: threshold,
            rules: rules.map((r) => ({
              id: r.id,
              when: r.when,
              shadow: r.shadow,
              effect: { kind: "score", points: r.points },
            })),
          });
          const matches = (r: (typeof rules)[number]) =>
            r.when.every((c) => {
              const v = features[c.feature as keyof FraudFeatures];
              return typeof v === "number" && (COMPARE[c.op] ?? (() => false))(v, c.value);
            });
          const expected = Math.min(
            100,
            rules.filter((r) => !r.shadow && matches(r)).reduce((s, r) => s + r.points, 0),
          );
          const verdict = scoreTransaction(ruleSet, subject, features);
          expect(verdict.score).toBe(expected);
          expect(verdict.decision).toBe(expected >= threshold ? "flagged" : "approved");
          expect(verdict.hits.map((h) => h.rule)).toEqual(rules.filter(matches).map((r) => r.id));
        },
      ),
    );
  });

  it("turning any rule into shadow never changes another rule's hits, only drops its own effect", () => {
    fc.assert(
      fc.property(scoreRules, featureValues, fc.nat(), (rules, features, pick) => {
        fc.pre(rules.length > 0);
        const make = (shadowAt: number | null) =>
          FraudRuleSet.parse({
            flagThreshold: 50,
            rules: rules.map((r, i) => ({
              id: r.id,
              when: r.when,
              shadow: i === shadowAt ? true : r.shadow,
              effect: { kind: "score", points: r.points },
            })),
          });
        const i = pick % rules.length;
        const before = scoreTransaction(make(null), subject, features);
        const after = scoreTransaction(make(i), subject, features);
        expect(after.hits.map((h) => h.rule)).toEqual(before.hits.map((h) => h.rule));
        expect(after.score).toBeLessThanOrEqual(before.score);
      }),
    );
  });
});
