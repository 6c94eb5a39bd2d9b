import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FraudRuleSet } from "../../contract/fraud";
import { backtest, labelQuality, type StoredDecision } from "./quality";
import { featuresWith } from "./testing";

describe("labelQuality", () => {
  it.each([
    ["nothing labelled", [{ hit: true, label: null }], { hits: 1, precision: null, recall: null }],
    [
      "one true positive, one false positive, one missed fraud",
      [
        { hit: true, label: "fraud" },
        { hit: true, label: "legitimate" },
        { hit: false, label: "fraud" },
        { hit: false, label: "legitimate" },
      ],
      { hits: 2, labeledHits: 2, fraudHits: 1, labeledFraud: 2, precision: 0.5, recall: 0.5 },
    ],
  ] as const)("%s", (_name, predictions, expected) => {
    expect(labelQuality(predictions)).toMatchObject(expected);
  });

  it("matches a count by filter", () => {
    const prediction = fc.record({
      hit: fc.boolean(),
      label: fc.constantFrom("fraud" as const, "legitimate" as const, null),
    });
    fc.assert(
      fc.property(fc.array(prediction), (ps) => {
        const q = labelQuality(ps);
        const tp = ps.filter((p) => p.hit && p.label === "fraud").length;
        const labeledHits = ps.filter((p) => p.hit && p.label !== null).length;
        const fraud = ps.filter((p) => p.label === "fraud").length;
        expect(q.precision).toBe(labeledHits ? tp / labeledHits : null);
        expect(q.recall).toBe(fraud ? tp / fraud : null);
      }),
    );
  });
});

describe("backtest", () => {
  const row = (count: number, label: StoredDecision["label"], flagged = false): StoredDecision => ({
    subject: { card: "c", customer: "u", device: null, country: null },
    features: featuresWith({ card_count_1m: count }),
    flagged,
    label,
  });
  it("counts would-flag, live and shadow rules on their own", () => {
    const set = FraudRuleSet.parse({
      flagThreshold: 50,
      rules: [
        {
          id: "live",
          when: [{ feature: "card_count_1m", op: "gte", value: 5 }],
          effect: { kind: "score", points: 60 },
        },
        {
          id: "trial",
          when: [{ feature: "card_count_1m", op: "gte", value: 3 }],
          effect: { kind: "flag" },
          shadow: true,
        },
      ],
    });
    const result = backtest(set, [
      row(6, "fraud", true),
      row(4, "fraud"),
      row(3, "legitimate"),
      row(1, null),
    ]);
    expect(result).toMatchObject({ evaluated: 4, wouldFlag: 1, currentlyFlagged: 1, labeled: 3 });
    expect(result.quality).toMatchObject({ precision: 1, recall: 0.5 });
    expect(result.rules).toEqual([
      {
        rule: "live",
        shadow: false,
        quality: expect.objectContaining({ hits: 1, precision: 1, recall: 0.5 }),
      },
      {
        rule: "trial",
        shadow: true,
        quality: expect.objectContaining({ hits: 3, precision: 2 / 3, recall: 1 }),
      },
    ]);
  });
});
