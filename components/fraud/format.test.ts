import { describe, expect, it } from "vitest";
import { conditionFrom, describeRule, featureText, move, percent } from "./format";

describe("fraud formatting", () => {
  it.each([
    [null, "—"],
    [0.5, "50.0 %"],
    [1, "100.0 %"],
    [0.0123, "1.2 %"],
  ])("percent(%s) = %s", (value, text) => expect(percent(value)).toBe(text));

  it("describes a rule", () => {
    expect(
      describeRule({
        when: [
          { feature: "card_count_1m", op: "gte", value: 5 },
          { feature: "merchant_category", op: "in", value: ["gambling", "crypto"] },
        ],
        effect: { kind: "score", points: 40 },
      }),
    ).toBe("card_count_1m ≥ 5 and merchant_category in gambling, crypto → +40 points");
  });

  it.each([
    [["amount", "numeric", "gt", "100"], { feature: "amount", op: "gt", value: 100 }],
    [["amount", "numeric", "gt", ""], null],
    [["amount", "numeric", "gt", "abc"], null],
    [["new_device", "boolean", "is", "true"], { feature: "new_device", op: "is", value: true }],
    [["new_device", "boolean", "is", "yes"], null],
    [["country", "text", "in", "DE, FR"], { feature: "country", op: "in", value: ["DE", "FR"] }],
    [["country", "text", "in", " , "], null],
  ] as const)("conditionFrom(%j)", (args, expected) => {
    const [feature, kind, op, raw] = args;
    expect(conditionFrom(feature, kind, op, raw)).toEqual(expected);
  });

  it("moves items within bounds only", () => {
    expect(move([1, 2, 3], 0, 1)).toEqual([2, 1, 3]);
    expect(move([1, 2, 3], 0, -1)).toEqual([1, 2, 3]);
    expect(move([1, 2, 3], 2, -1)).toEqual([1, 3, 2]);
  });

  it("shows feature values", () => {
    expect([featureText(null), featureText(3), featureText(2.345), featureText(true)]).toEqual([
      "—",
      "3",
      "2.35",
      "true",
    ]);
  });
});
