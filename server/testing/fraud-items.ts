import type { FraudFeatures } from "../contract/fraud";
import { computeFeatures } from "../core/fraud/features";
import type { BatchItem } from "../db/fraud-decide";
import type { DecisionSubject } from "../db/fraud-store";

/**
 * A batch member for store tests: its features are computed from what the store read, handed to
 * `onFeatures`, and it is approved with score 0 (the rules are not what these tests are about).
 */
export function approvedItem(
  tx: DecisionSubject,
  options: { decidedAt: number; onFeatures?: (features: FraudFeatures) => void },
): BatchItem {
  return {
    tx,
    decide: (inputs) => {
      const features = computeFeatures(tx, inputs);
      options.onFeatures?.(features);
      return {
        decision: "approved",
        score: 0,
        reasons: [],
        features,
        rulesVersion: 1,
        decidedAt: new Date(options.decidedAt),
        event: {},
        hits: [],
        shadowHits: [],
        latencyMs: 0,
      };
    },
  };
}
