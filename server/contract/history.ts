import { z } from "zod";
import { MetricDefinition } from "./metrics";
import { BucketState, Summary } from "./live";
import { parseRfc3339 } from "./event-time";

/** Bucket sizes of the history API; `auto` picks the finest with at most AUTO_MAX_BUCKETS buckets. */
export const STEPS = ["1m", "5m", "15m", "1h", "1d"] as const;
export const Step = z.enum(STEPS);
export type Step = z.infer<typeof Step>;
export const STEP_MS: Record<Step, number> = {
  "1m": 60_000,
  "5m": 300_000,
  "15m": 900_000,
  "1h": 3_600_000,
  "1d": 86_400_000,
};
export const AUTO_MAX_BUCKETS = 800;
/** Most buckets one series request may ask for (the step is then too fine for the range). */
export const MAX_BUCKETS = 5_000;
/** Longest range one request may cover. */
export const MAX_RANGE_MS = 400 * 86_400_000;
/** Group key of the merged state of every group outside the top N. */
export const OTHER_GROUP = "(other)";

/** True for an IANA zone name the runtime knows (e.g. `Asia/Kolkata`, `UTC`). */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: name });
    return name.length > 0;
  } catch {
    return false;
  }
}

/** Instants the history API takes: from 1970 to the end of year 9999 (`Date` can show them all). */
export const INSTANT_RANGE_MS = { min: 0, max: Date.UTC(9999, 11, 31, 23, 59, 59, 999) } as const;

/**
 * An instant as RFC 3339 text or epoch milliseconds; parsed to epoch ms. An RFC 3339 time with a
 * field that does not exist (2026-02-30) is refused rather than rolled over.
 */
const Instant = z.union([z.string(), z.number()]).transform((raw, ctx) => {
  const text = String(raw).trim();
  const strict = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}/.test(text) ? parseRfc3339(text) : undefined;
  if (strict && !strict.ok) {
    ctx.addIssue({ code: "custom", message: strict.message.replace(/^ts /, "") });
    return z.NEVER;
  }
  const ms = strict?.ok ? strict.ms : /^-?\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isFinite(ms) || (!/^-?\d+$/.test(text) && !/^\d{4}-\d{2}-\d{2}T/i.test(text))) {
    ctx.addIssue({ code: "custom", message: "must be an RFC 3339 time (2026-11-01T00:00:00Z) or epoch ms" });
    return z.NEVER;
  }
  if (ms < INSTANT_RANGE_MS.min || ms > INSTANT_RANGE_MS.max) {
    ctx.addIssue({
      code: "custom",
      message: "must be between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59Z",
    });
    return z.NEVER;
  }
  return ms;
});

const TimeZone = z
  .string()
  .default("UTC")
  .refine(isTimeZone, { message: "must be an IANA time zone name such as UTC or Asia/Kolkata" });
const Format = z.enum(["json", "csv"]).default("json");
const Limit = z.coerce.number().int().min(1).max(50).default(5);
const AttrName = z
  .string()
  .regex(/^[a-z_][a-z0-9_]{0,63}$/, "must be an attr name")
  .optional();

function rangeChecks<T extends { from: number; to: number }>(query: T, ctx: z.RefinementCtx): void {
  if (query.to <= query.from) ctx.addIssue({ code: "custom", path: ["to"], message: "must be after from" });
  else if (query.to - query.from > MAX_RANGE_MS)
    ctx.addIssue({ code: "custom", path: ["to"], message: "the range may span at most 400 days" });
}

/** Query parameters of `GET /api/metrics/{name}/series`. */
export const SeriesQuery = z
  .object({
    from: Instant,
    to: Instant,
    step: z.enum([...STEPS, "auto"]).default("auto"),
    groupBy: AttrName,
    tz: TimeZone,
    limit: Limit,
    format: Format,
  })
  .strict()
  .superRefine(rangeChecks);
export type SeriesQuery = z.infer<typeof SeriesQuery>;

/** Query parameters of `GET /api/metrics/{name}/breakdown`. */
export const BreakdownQuery = z
  .object({
    from: Instant,
    to: Instant,
    by: z.string().regex(/^[a-z_][a-z0-9_]{0,63}$/, "must be an attr name"),
    tz: TimeZone,
    limit: Limit,
    format: Format,
  })
  .strict()
  .superRefine(rangeChecks);
export type BreakdownQuery = z.infer<typeof BreakdownQuery>;

// The same display figures as a live bucket's Summary, plus the bucket's state.
const Figures = {
  ...Summary.shape,
  /** `final` once the watermark passed the end, `revised` if a late event changed it after that, else `open`. */
  state: BucketState,
};

/** One bucket (of one group): figures from merged sketch states, never averaged percentiles. */
export const SeriesPoint = z.object({
  /** Bucket start as RFC 3339 with the requested zone's offset. */
  t: z.string(),
  /** Bucket end (exclusive); a local day may last 23 h or 25 h. */
  end: z.string(),
  group: z.string().optional(),
  ...Figures,
});
export type SeriesPoint = z.infer<typeof SeriesPoint>;

const RangeInfo = {
  metric: z.string(),
  tz: z.string(),
  /** Effective range: `from`/`to` widened to whole buckets. */
  from: z.string(),
  to: z.string(),
  /** Everything before this instant is final ("complete up to"); null before the first event. */
  watermark: z.string().nullable(),
  /**
   * True when the whole range is final and holds no too-late events still waiting for
   * reconciliation: the response is cacheable. Never true for a range that ends after now.
   */
  complete: z.boolean(),
  /** Too-late events stored in the range's hours but not yet in these figures (reconciliation folds them in). */
  pendingTooLate: z.number().int().nonnegative(),
  /** The definition's filter, echoed for headers of exports. */
  filter: MetricDefinition.shape.filter,
};

/** `GET /api/metrics/{name}/series` (JSON). */
export const SeriesResponse = z.object({
  ...RangeInfo,
  step: Step,
  groupBy: z.string().nullable(),
  /** Groups in rank order (highest count first), then `(other)` when more groups exist. */
  groups: z.array(z.string()),
  points: z.array(SeriesPoint),
});
export type SeriesResponse = z.infer<typeof SeriesResponse>;

export const BreakdownRow = z.object({ group: z.string(), ...Figures });
export type BreakdownRow = z.infer<typeof BreakdownRow>;

/** `GET /api/metrics/{name}/breakdown` (JSON): one merged state per group over the range. */
export const BreakdownResponse = z.object({
  ...RangeInfo,
  by: z.string(),
  rows: z.array(BreakdownRow),
  total: BreakdownRow,
});
export type BreakdownResponse = z.infer<typeof BreakdownResponse>;

/** `GET /api/metrics`. */
export const MetricsResponse = z.object({ metrics: z.array(MetricDefinition) });
export type MetricsResponse = z.infer<typeof MetricsResponse>;
