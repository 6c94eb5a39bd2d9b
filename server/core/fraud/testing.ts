import { BOOLEAN_FEATURES, NUMERIC_FEATURES, TEXT_FEATURES, type FraudFeatures } from "../../contract/fraud";

/** Features with every numeric at 0, booleans false and texts null, overridden by `over`. */
export function featuresWith(over: Partial<FraudFeatures> = {}): FraudFeatures {
  const base = {} as Record<string, unknown>;
  for (const n of NUMERIC_FEATURES) base[n] = 0;
  for (const n of BOOLEAN_FEATURES) base[n] = false;
  for (const n of TEXT_FEATURES) base[n] = null;
  return { ...(base as FraudFeatures), ...over };
}
