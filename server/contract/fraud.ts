import { z } from "zod";

/** Velocity windows of the fraud features, by name (`card_count_1m` …). */
export const FRAUD_WINDOWS = { "1m": 60_000, "1h": 3_600_000, "24h": 86_400_000 } as const;
export type FraudWindow = keyof typeof FRAUD_WINDOWS;
export const FRAUD_WINDOW_NAMES = Object.keys(FRAUD_WINDOWS) as FraudWindow[];
export const FRAUD_ENTITIES = ["card", "customer", "device"] as const;
export type FraudEntity = (typeof FRAUD_ENTITIES)[number];

/**
 * Numeric features a rule can compare. Velocity counts and amounts include the transaction
 * being decided; the 90-day history excludes it. A feature that cannot be computed (no
 * history, no device) is null, and no condition on it holds.
 */
export const NUMERIC_FEATURES = [
  "amount",
  "card_count_1m",
  "card_amount_1m",
  "card_count_1h",
  "card_amount_1h",
  "card_count_24h",
  "card_amount_24h",
  "customer_count_1m",
  "customer_amount_1m",
  "customer_count_1h",
  "customer_amount_1h",
  "customer_count_24h",
  "customer_amount_24h",
  "device_count_1m",
  "device_amount_1m",
  "device_count_1h",
  "device_amount_1h",
  "device_count_24h",
  "device_amount_24h",
  "card_countries_24h",
  "card_devices_24h",
  "history_count_90d",
  "amount_mean_90d",
  "amount_sd_90d",
  "amount_p95_90d",
  "amount_z_90d",
  "amount_ratio_p95_90d",
] as const;
export const BOOLEAN_FEATURES = ["new_device", "country_mismatch"] as const;
export const TEXT_FEATURES = ["merchant_category", "country", "home_country"] as const;
export type NumericFeature = (typeof NUMERIC_FEATURES)[number];
export type BooleanFeature = (typeof BOOLEAN_FEATURES)[number];
export type TextFeature = (typeof TEXT_FEATURES)[number];
export type FeatureName = NumericFeature | BooleanFeature | TextFeature;

/** Everything a decision was based on; returned with the decision and stored with it. */
export type FraudFeatures = Record<NumericFeature, number | null> &
  Record<BooleanFeature, boolean | null> &
  Record<TextFeature, string | null>;

const featureShape = Object.fromEntries([
  ...NUMERIC_FEATURES.map((n) => [n, z.number().nullable()]),
  ...BOOLEAN_FEATURES.map((n) => [n, z.boolean().nullable()]),
  ...TEXT_FEATURES.map((n) => [n, z.string().nullable()]),
]) as Record<FeatureName, z.ZodType>;
export const FraudFeatures = z.object(featureShape) as unknown as z.ZodType<FraudFeatures>;

const RuleId = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,47}$/, "must match [a-z][a-z0-9_]{0,47} (lower case, digits, _)");

/** One comparison of a feature; the feature's kind decides which operators apply. */
export const FraudCondition = z.discriminatedUnion("op", [
  z.object({
    feature: z.enum(NUMERIC_FEATURES),
    op: z.enum(["gt", "gte", "lt", "lte"]),
    value: z.number().finite(),
  }),
  z.object({ feature: z.enum(BOOLEAN_FEATURES), op: z.literal("is"), value: z.boolean() }),
  z.object({
    feature: z.enum(TEXT_FEATURES),
    op: z.enum(["in", "not_in"]),
    value: z.array(z.string().min(1).max(64)).min(1).max(100),
  }),
]);
export type FraudCondition = z.infer<typeof FraudCondition>;

/** What a matching score rule does: add points, or decide at once (later rules are skipped). */
export const FraudEffect = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("score"), points: z.number().int().min(1).max(100) }),
  z.object({ kind: z.literal("flag") }),
  z.object({ kind: z.literal("approve") }),
]);
export type FraudEffect = z.infer<typeof FraudEffect>;

/** A score rule: all conditions must hold. A shadow rule is evaluated and logged, never decides. */
export const FraudRule = z.object({
  id: RuleId,
  description: z.string().max(200).default(""),
  when: z.array(FraudCondition).min(1).max(8),
  effect: FraudEffect,
  shadow: z.boolean().default(false),
});
export type FraudRule = z.infer<typeof FraudRule>;
export type FraudRuleInput = z.input<typeof FraudRule>;

export const LIST_KINDS = ["card", "customer", "device", "country"] as const;
export const FraudListKind = z.enum(LIST_KINDS);
export type FraudListKind = z.infer<typeof FraudListKind>;

/** An allow- or block-list entry: a card, customer, device or country. */
export const FraudListEntry = z.object({
  kind: FraudListKind,
  value: z.string().trim().min(1).max(256),
  note: z.string().max(200).default(""),
  shadow: z.boolean().default(false),
});
export type FraudListEntry = z.infer<typeof FraudListEntry>;

/**
 * A rule set: allow list first (approved at once), then block list (flagged at once), then the
 * score rules in order; `flagged` when the sum of points reaches `flagThreshold` (capped at 100).
 */
export const FraudRuleSet = z
  .object({
    flagThreshold: z.number().int().min(1).max(100),
    allow: z.array(FraudListEntry).max(1000).default([]),
    block: z.array(FraudListEntry).max(1000).default([]),
    rules: z.array(FraudRule).max(100).default([]),
  })
  .superRefine((set, ctx) => {
    const seen = new Set<string>();
    set.rules.forEach((rule, i) => {
      if (seen.has(rule.id))
        ctx.addIssue({ code: "custom", path: ["rules", i, "id"], message: `duplicate rule id '${rule.id}'` });
      seen.add(rule.id);
    });
  });
export type FraudRuleSet = z.infer<typeof FraudRuleSet>;
export type FraudRuleSetInput = z.input<typeof FraudRuleSet>;

export const FraudDecisionOutcome = z.enum(["approved", "flagged"]);
export type FraudDecisionOutcome = z.infer<typeof FraudDecisionOutcome>;

export const FraudReason = z.object({ rule: z.string(), detail: z.string() });
export type FraudReason = z.infer<typeof FraudReason>;

/** `200` answer of `POST /api/transactions/score`; a repeated id gets the stored one. */
export const ScoreResponse = z.object({
  id: z.string(),
  decision: FraudDecisionOutcome,
  score: z.number().int().min(0).max(100),
  reasons: z.array(FraudReason),
  features: FraudFeatures,
  rulesVersion: z.number().int(),
  decidedAt: z.string(),
});
export type ScoreResponse = z.infer<typeof ScoreResponse>;

/** A saved rule set version (`GET /api/admin/fraud/rules`). */
export const FraudRuleSetVersion = z.object({
  version: z.number().int(),
  ruleSet: FraudRuleSet,
  createdBy: z.string(),
  createdAt: z.string(),
  note: z.string(),
});
export type FraudRuleSetVersion = z.infer<typeof FraudRuleSetVersion>;

/** `PUT /api/admin/fraud/rules`: a new version; `baseVersion` guards against lost updates. */
export const SaveRuleSetRequest = z.object({
  baseVersion: z.number().int().min(0),
  ruleSet: FraudRuleSet,
  note: z.string().max(200).default(""),
});
export type SaveRuleSetRequest = z.infer<typeof SaveRuleSetRequest>;

/** `POST /api/admin/fraud/backtest`: a candidate rule set over the stored decisions. */
export const FraudBacktestRequest = z.object({
  ruleSet: FraudRuleSet,
  days: z.number().int().min(1).max(90).default(7),
});
export type FraudBacktestRequest = z.infer<typeof FraudBacktestRequest>;

/** Precision and recall against analysts' labels; null when nothing to divide by. */
export const LabelQuality = z.object({
  hits: z.number().int(),
  labeledHits: z.number().int(),
  fraudHits: z.number().int(),
  labeledFraud: z.number().int(),
  precision: z.number().nullable(),
  recall: z.number().nullable(),
});
export type LabelQuality = z.infer<typeof LabelQuality>;

export const BacktestResult = z.object({
  evaluated: z.number().int(),
  wouldFlag: z.number().int(),
  currentlyFlagged: z.number().int(),
  labeled: z.number().int(),
  quality: LabelQuality,
  rules: z.array(z.object({ rule: z.string(), shadow: z.boolean(), quality: LabelQuality })),
});
export type BacktestResult = z.infer<typeof BacktestResult>;

export const FraudLabel = z.enum(["fraud", "legitimate"]);
export type FraudLabel = z.infer<typeof FraudLabel>;

/** `PUT /api/fraud/decisions/{id}/label`. */
export const LabelRequest = z.object({ label: FraudLabel, note: z.string().trim().max(500).default("") });
export type LabelRequest = z.infer<typeof LabelRequest>;

/** `GET /api/fraud/decisions` filters; `before` pages backwards (an opaque cursor). */
export const DecisionQuery = z.object({
  decision: z.enum(["flagged", "approved", "all"]).default("flagged"),
  label: z.enum(["unlabeled", "fraud", "legitimate", "any"]).default("any"),
  rule: RuleId.or(z.string().regex(/^(allow|block):(card|customer|device|country)$/)).optional(),
  q: z.string().trim().min(1).max(256).optional(),
  before: z
    .string()
    .regex(/^\d{1,16}:.{1,128}$/, "is not a cursor from an earlier page")
    .optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type DecisionQuery = z.infer<typeof DecisionQuery>;

export const DecisionSummary = z.object({
  id: z.string(),
  ts: z.string(),
  cardId: z.string(),
  customerId: z.string(),
  deviceId: z.string().nullable(),
  country: z.string().nullable(),
  merchant: z.string(),
  amount: z.number(),
  decision: FraudDecisionOutcome,
  score: z.number(),
  reasons: z.array(FraudReason),
  shadowHits: z.array(z.string()),
  rulesVersion: z.number(),
  decidedAt: z.string(),
  label: FraudLabel.nullable(),
  labelNote: z.string().nullable(),
  labeledBy: z.string().nullable(),
});
export type DecisionSummary = z.infer<typeof DecisionSummary>;

export const DecisionPage = z.object({
  decisions: z.array(DecisionSummary),
  nextBefore: z.string().nullable(),
});
export type DecisionPage = z.infer<typeof DecisionPage>;

/** One decision with its features and the customer's recent transactions. */
export const DecisionDetail = z.object({
  decision: DecisionSummary,
  features: FraudFeatures,
  customerHistory: z.array(DecisionSummary),
});
export type DecisionDetail = z.infer<typeof DecisionDetail>;

/** `GET /api/fraud/quality?days`: from analysts' labels, overall and per rule, with daily flag rates. */
export const QualityQuery = z.object({ days: z.coerce.number().int().min(1).max(90).default(14) });
export type QualityQuery = z.infer<typeof QualityQuery>;

export const QualityDay = z.object({
  day: z.string(),
  decided: z.number().int(),
  hits: z.number().int(),
  rate: z.number(),
});
export type QualityDay = z.infer<typeof QualityDay>;

export const QualityReport = z.object({
  days: z.number().int(),
  decided: z.number().int(),
  /** The flagged decisions against the labels. */
  flagged: LabelQuality,
  daily: z.array(QualityDay),
  rules: z.array(
    z.object({
      rule: z.string(),
      shadow: z.boolean(),
      quality: LabelQuality,
      flagRate: z.number(),
      daily: z.array(QualityDay),
    }),
  ),
});
export type QualityReport = z.infer<typeof QualityReport>;
