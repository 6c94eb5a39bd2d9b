import { z } from "zod";
import { isTimeZone } from "./history";

/** What a rule measures over its window (`rate` = count per second of the window). */
export const STATISTICS = [
  "count",
  "rate",
  "sum",
  "avg",
  "min",
  "max",
  "p50",
  "p90",
  "p95",
  "p99",
  "distinct",
] as const;
export const Statistic = z.enum(STATISTICS);
export type Statistic = z.infer<typeof Statistic>;

/** Statistics that cannot be merged from bucket summaries: evaluated per bucket (decision 0027). */
export const PER_BUCKET_STATISTICS: ReadonlySet<Statistic> = new Set([
  "p50",
  "p90",
  "p95",
  "p99",
  "distinct",
]);

export const Severity = z.enum(["info", "warning", "critical"]);
export type Severity = z.infer<typeof Severity>;

export const ALERT_STATES = [
  "normal",
  "pending",
  "firing",
  "recovering",
  "no_data",
  "insufficient_data",
  "error",
] as const;
export const AlertState = z.enum(ALERT_STATES);
export type AlertState = z.infer<typeof AlertState>;

const METRIC_NAME = z
  .string()
  .regex(/^[a-z][a-z0-9_.]{0,63}$/, "must be a metric name ([a-z][a-z0-9_.]{0,63})");
const finite = (what: string) =>
  z.number({ error: `${what} must be a number` }).refine(Number.isFinite, `${what} must be a finite number`);

export const MetricStatistic = z.strictObject({ metric: METRIC_NAME, statistic: Statistic });
export type MetricStatistic = z.infer<typeof MetricStatistic>;

/**
 * What a rule watches: one metric's statistic, a ratio of two (×100, in percent: error rate =
 * count(api_errors) / count(api_requests)), or data age (seconds since the watermark).
 */
export const AlertSubject = z.discriminatedUnion("kind", [
  MetricStatistic.extend({ kind: z.literal("metric") }),
  z.strictObject({ kind: z.literal("ratio"), numerator: MetricStatistic, denominator: MetricStatistic }),
  z.strictObject({ kind: z.literal("data_age") }),
  /** Dead letters (rejected inputs) in the window, from the dead_letters table. */
  z.strictObject({ kind: z.literal("dead_letters") }),
]);
/** The series name dead-letter counts go by in window sources (not a metric definition). */
export const DEAD_LETTERS_SERIES = "(dead_letters)";
export type AlertSubject = z.infer<typeof AlertSubject>;

export const ComparisonOp = z.enum([">", ">=", "<", "<="]);
export type ComparisonOp = z.infer<typeof ComparisonOp>;

/** `threshold`: the window's value against a threshold; `change`: against the previous window. */
export const AlertCondition = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("threshold"), op: ComparisonOp, threshold: finite("threshold") }),
  z.strictObject({
    kind: z.literal("change"),
    mode: z.enum(["absolute", "percent"]),
    op: ComparisonOp,
    threshold: finite("threshold"),
  }),
]);
export type AlertCondition = z.infer<typeof AlertCondition>;

export const BUCKETS = ["10s", "1m"] as const;
export const AlertBucket = z.enum(BUCKETS);
export type AlertBucket = z.infer<typeof AlertBucket>;
export const BUCKET_MS: Record<AlertBucket, number> = { "10s": 10_000, "1m": 60_000 };
/** Allowed windows: 10 s, 30 s (live buckets), 1, 5, 15 and 60 min. */
export const WINDOW_MS = [10_000, 30_000, 60_000, 300_000, 900_000, 3_600_000] as const;
export const MAX_GROUPS = 100;
const HOUR = 3_600_000;

const duration = (max: number) => z.number().int().min(0).max(max);

/** The editable part of an alert rule (public contract of `/api/admin/alerts/rules`). */
export const AlertRuleSpec = z
  .strictObject({
    name: z.string().trim().min(1, "must not be empty").max(100),
    description: z.string().max(500).default(""),
    severity: Severity.default("warning"),
    labels: z
      .record(
        z.string().regex(/^[a-z_][a-z0-9_]{0,31}$/, "label names: [a-z_][a-z0-9_]{0,31}"),
        z.string().max(100),
      )
      .refine((l) => Object.keys(l).length <= 16, "at most 16 labels")
      .default({}),
    subject: AlertSubject,
    /** The metric's group-by attr: one instance per group; null for one instance overall. */
    groupBy: z.string().nullable().default(null),
    /** With `groupBy`: only these groups (empty = all). */
    groups: z.array(z.string().max(200)).max(MAX_GROUPS).default([]),
    maxGroups: z.number().int().min(1).max(MAX_GROUPS, `at most ${MAX_GROUPS} groups per rule`).default(20),
    bucket: AlertBucket.default("1m"),
    windowMs: z
      .number()
      .int()
      .refine(
        (w) => (WINDOW_MS as readonly number[]).includes(w),
        `must be one of ${WINDOW_MS.join(", ")} ms`,
      ),
    condition: AlertCondition,
    /** Hysteresis: once firing, it recovers only past this value (null = the threshold). */
    recoveryThreshold: finite("recoveryThreshold").nullable().default(null),
    pendingMs: duration(24 * HOUR).default(0),
    keepFiringMs: duration(24 * HOUR).default(0),
    /** Fires when `n` of the last `m` window positions breach. */
    nOfM: z
      .strictObject({ n: z.number().int().min(1), m: z.number().int().min(1).max(20) })
      .refine((x) => x.n <= x.m, "n must not exceed m")
      .default({ n: 1, m: 1 }),
    /** Below this many events in the window (the denominator's for a ratio): insufficient_data. */
    minVolume: z.number().int().min(0).default(0),
    /** No data for this long (ms): no_data; null = never. */
    noDataMs: z
      .number()
      .int()
      .min(10_000)
      .max(24 * HOUR)
      .nullable()
      .default(null),
    basis: z.enum(["open", "final"]).default("open"),
    repeatIntervalMs: z
      .number()
      .int()
      .min(60_000)
      .max(7 * 24 * HOUR)
      .default(HOUR),
    channelIds: z.array(z.string().min(1).max(64)).max(20).default([]),
    enabled: z.boolean().default(true),
  })
  .superRefine((rule, ctx) => {
    const bucketMs = BUCKET_MS[rule.bucket];
    if (rule.windowMs < bucketMs || rule.windowMs % bucketMs !== 0)
      ctx.addIssue({
        code: "custom",
        path: ["windowMs"],
        message: `window ${rule.windowMs / 1000} s must be a whole number of ${rule.bucket} buckets`,
      });
    if (rule.bucket === "10s" && rule.windowMs > 60_000)
      ctx.addIssue({
        code: "custom",
        path: ["windowMs"],
        message: "10 s buckets are kept for 60 s windows at most",
      });
    const stats =
      rule.subject.kind === "metric"
        ? [rule.subject.statistic]
        : rule.subject.kind === "ratio"
          ? [rule.subject.numerator.statistic, rule.subject.denominator.statistic]
          : [];
    const perBucket = stats.find((s) => PER_BUCKET_STATISTICS.has(s));
    if (perBucket && rule.windowMs !== bucketMs)
      ctx.addIssue({
        code: "custom",
        path: ["windowMs"],
        message: `${perBucket} is evaluated per bucket: the window must equal the ${rule.bucket} bucket`,
      });
    if (rule.subject.kind === "dead_letters" && rule.bucket !== "1m")
      ctx.addIssue({
        code: "custom",
        path: ["bucket"],
        message: "dead letters are counted per minute: use 1m",
      });
    if (rule.groups.length > 0 && rule.groupBy === null)
      ctx.addIssue({ code: "custom", path: ["groups"], message: "groups need a groupBy" });
    checkRecovery(rule.condition, rule.recoveryThreshold, ctx);
  });
export type AlertRuleSpec = z.infer<typeof AlertRuleSpec>;
export type AlertRuleSpecInput = z.input<typeof AlertRuleSpec>;

function checkRecovery(condition: AlertCondition, recovery: number | null, ctx: z.RefinementCtx): void {
  if (recovery === null) return;
  const above = condition.op === ">" || condition.op === ">=";
  const wrong = above ? recovery > condition.threshold : recovery < condition.threshold;
  if (wrong)
    ctx.addIssue({
      code: "custom",
      path: ["recoveryThreshold"],
      message: `must be ${above ? "at or below" : "at or above"} the threshold ${condition.threshold} for "${condition.op}"`,
    });
}

/** A stored rule: the spec plus identity and version (every edit makes a new version). */
export const AlertRuleView = z.object({
  id: z.string(),
  version: z.number().int(),
  spec: AlertRuleSpec,
  createdAt: z.string(),
  updatedAt: z.string(),
  /** Why the rule cannot be evaluated now (e.g. its metric was disabled); null when fine. */
  error: z.string().nullable(),
});
export type AlertRuleView = z.infer<typeof AlertRuleView>;

export const AlertChannelSpec = z.strictObject({
  name: z.string().trim().min(1, "must not be empty").max(100),
  url: z
    .url({ error: "must be an absolute URL" })
    .refine((u) => /^https?:\/\//i.test(u), "must be an http(s) URL")
    .refine((u) => u.length <= 2048, "at most 2048 characters"),
  /** Signing secret; omitted on edit = keep the stored one. At least 16 characters. */
  secret: z.string().min(16, "must be at least 16 characters").max(200).optional(),
  enabled: z.boolean().default(true),
});
export type AlertChannelSpec = z.infer<typeof AlertChannelSpec>;

export const AlertChannelView = z.object({
  id: z.string(),
  name: z.string(),
  url: z.string(),
  enabled: z.boolean(),
  createdAt: z.string(),
});
export type AlertChannelView = z.infer<typeof AlertChannelView>;

const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "must be HH:MM (24 h)");

/** A weekly mute window in an IANA zone; `start` > `end` wraps past midnight (22:00–06:00). */
export const MuteWindow = z.strictObject({
  days: z.array(z.number().int().min(0).max(6)).min(1, "pick at least one day (0 = Sunday)").max(7),
  start: HHMM,
  end: HHMM,
  timeZone: z.string().min(1).refine(isTimeZone, "must be an IANA time zone such as Europe/Berlin"),
});
export type MuteWindow = z.infer<typeof MuteWindow>;

/** Matches a label (`rule`, `severity`, `group` and the rule's labels) exactly. */
export const LabelMatcher = z.strictObject({ label: z.string().min(1).max(32), value: z.string().max(200) });
export type LabelMatcher = z.infer<typeof LabelMatcher>;

/** A silence: until a time, or recurring; mutes notifications of matching instances (all matchers). */
export const AlertSilenceSpec = z
  .strictObject({
    comment: z.string().max(500).default(""),
    matchers: z.array(LabelMatcher).min(1, "needs at least one matcher").max(10),
    startsAt: z.iso.datetime({ offset: true }).nullable().default(null),
    endsAt: z.iso.datetime({ offset: true }).nullable().default(null),
    recurring: MuteWindow.nullable().default(null),
  })
  .superRefine((s, ctx) => {
    if (!s.endsAt && !s.recurring)
      ctx.addIssue({
        code: "custom",
        path: ["endsAt"],
        message: "a silence needs an end time or a recurring window",
      });
    if (s.startsAt && s.endsAt && Date.parse(s.endsAt) <= Date.parse(s.startsAt))
      ctx.addIssue({ code: "custom", path: ["endsAt"], message: "must be after startsAt" });
  });
export type AlertSilenceSpec = z.infer<typeof AlertSilenceSpec>;

export const AlertSilenceView = z.object({
  id: z.string(),
  spec: AlertSilenceSpec,
  createdBy: z.string(),
  createdAt: z.string(),
});
export type AlertSilenceView = z.infer<typeof AlertSilenceView>;
