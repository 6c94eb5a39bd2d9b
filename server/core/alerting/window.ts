import {
  BUCKET_MS,
  DEAD_LETTERS_SERIES,
  type AlertRuleSpec,
  type BucketState,
  type MetricStatistic,
  type Summary,
} from "../../contract";

/** One bucket of one group of one metric, as the stream publishes it (or as stored). */
export interface SeriesBucket {
  start: number;
  state: BucketState;
  summary: Summary;
}

/** One metric at the rule's bucket size: group key ("" = all groups) → bucket start → bucket. */
export type MetricSeries = ReadonlyMap<string, ReadonlyMap<number, SeriesBucket>>;

/** What the evaluator sees of one instance at one evaluation. */
export interface WindowSample {
  /** Start of the window's last bucket: evaluations at one position replace each other (N of M). */
  position: number;
  /** The window's value; null when undefined (no events for avg/min/max, a zero denominator). */
  value: number | null;
  /** Events in the window (of the denominator for a ratio): compared with minVolume. */
  volume: number;
  /** End of the newest bucket with events, or null. */
  lastDataAt: number | null;
  /** The evaluated buckets and their states (what an alert event records). */
  buckets: Array<{ start: number; state: BucketState }>;
}

/** Where the window ends: the newest bucket seen (`open`) or the newest the watermark passed (`final`). */
export function windowPosition(
  rule: AlertRuleSpec,
  newestStart: number | null,
  watermark: number | null,
): number | null {
  const bucketMs = BUCKET_MS[rule.bucket];
  if (rule.basis === "final")
    return watermark === null ? null : Math.floor(watermark / bucketMs) * bucketMs - bucketMs;
  return newestStart;
}

/** The statistic of one window of buckets, merged from summaries (exact for all but per-bucket ones). */
export function statisticOf(
  statistic: MetricStatistic["statistic"],
  buckets: readonly Summary[],
  windowMs: number,
): number | null {
  let count = 0;
  let sum = 0;
  let min: number | null = null;
  let max: number | null = null;
  for (const b of buckets) {
    count += b.count;
    sum += b.sum;
    if (b.min !== null) min = min === null ? b.min : Math.min(min, b.min);
    if (b.max !== null) max = max === null ? b.max : Math.max(max, b.max);
  }
  switch (statistic) {
    case "count":
      return count;
    case "rate":
      return count / (windowMs / 1000);
    case "sum":
      return sum;
    case "avg":
      return count === 0 ? null : sum / count;
    case "min":
      return min;
    case "max":
      return max;
    case "distinct":
      // Per-bucket statistics come from the window's single bucket (the contract refuses more).
      return buckets.length === 0 ? 0 : (buckets.at(-1)?.distinct ?? 0);
    default:
      return buckets.at(-1)?.[statistic] ?? null;
  }
}

function windowBuckets(
  series: MetricSeries | undefined,
  group: string,
  end: number,
  bucketMs: number,
  windowMs: number,
): SeriesBucket[] {
  const buckets: SeriesBucket[] = [];
  const byStart = series?.get(group);
  if (!byStart) return buckets;
  for (let start = end - windowMs + bucketMs; start <= end; start += bucketMs) {
    const bucket = byStart.get(start);
    if (bucket) buckets.push(bucket);
  }
  return buckets;
}

/**
 * End of the newest bucket with events at or before `end`, looking back at most `horizonMs`
 * (older data makes no difference to a no-data verdict); null when none.
 */
function lastDataAt(
  series: MetricSeries | undefined,
  group: string,
  end: number,
  bucketMs: number,
  horizonMs: number,
): number | null {
  const byStart = series?.get(group);
  if (!byStart) return null;
  for (let start = end; start > end - horizonMs - bucketMs; start -= bucketMs)
    if ((byStart.get(start)?.summary.count ?? 0) > 0) return start + bucketMs;
  return null;
}

export interface SampleSources {
  /** Series by metric name. */
  series: ReadonlyMap<string, MetricSeries>;
  watermark: number | null;
}

/** The value of the window ending at `end` (the previous window: `end − windowMs`). */
function valueAt(rule: AlertRuleSpec, src: SampleSources, group: string, end: number) {
  const bucketMs = BUCKET_MS[rule.bucket];
  const { subject, windowMs } = rule;
  const part = (m: MetricStatistic) => {
    const buckets = windowBuckets(src.series.get(m.metric), group, end, bucketMs, windowMs);
    const volume = buckets.reduce((n, b) => n + b.summary.count, 0);
    const summaries = buckets.map((b) => b.summary);
    return { value: statisticOf(m.statistic, summaries, windowMs), volume, buckets };
  };
  if (subject.kind === "metric") return part(subject);
  if (subject.kind === "dead_letters") return part({ metric: DEAD_LETTERS_SERIES, statistic: "count" });
  if (subject.kind === "ratio") {
    const num = part(subject.numerator);
    const den = part(subject.denominator);
    const value =
      den.value === null || den.value === 0 || num.value === null ? null : (100 * num.value) / den.value;
    return {
      value,
      volume: den.volume,
      buckets: den.buckets.length >= num.buckets.length ? den.buckets : num.buckets,
    };
  }
  return { value: null, volume: 0, buckets: [] };
}

/** Samples one instance (group) of a rule at the window ending at `end`, at time `now`. */
export function sampleWindow(
  rule: AlertRuleSpec,
  src: SampleSources,
  group: string,
  end: number,
  now: number,
): WindowSample {
  const bucketMs = BUCKET_MS[rule.bucket];
  if (rule.subject.kind === "data_age") {
    const age = src.watermark === null ? null : Math.max(0, (now - src.watermark) / 1000);
    return {
      position: end,
      value: age,
      volume: Number.MAX_SAFE_INTEGER,
      lastDataAt: src.watermark,
      buckets: [],
    };
  }
  const current = valueAt(rule, src, group, end);
  const dataMetric =
    rule.subject.kind === "metric"
      ? rule.subject.metric
      : rule.subject.kind === "ratio"
        ? rule.subject.denominator.metric
        : DEAD_LETTERS_SERIES;
  let value = current.value;
  if (rule.condition.kind === "change") {
    const previous = valueAt(rule, src, group, end - rule.windowMs).value;
    if (value === null || previous === null) value = null;
    else if (rule.condition.mode === "absolute") value = value - previous;
    else value = previous === 0 ? null : (100 * (value - previous)) / Math.abs(previous);
  }
  return {
    position: end,
    value,
    volume: current.volume,
    // Only a no-data rule needs it; looking back past its silence changes nothing.
    lastDataAt:
      rule.noDataMs === null
        ? null
        : lastDataAt(src.series.get(dataMetric), group, end, bucketMs, rule.noDataMs + rule.windowMs),
    buckets: current.buckets.map((b) => ({ start: b.start, state: b.state })),
  };
}
