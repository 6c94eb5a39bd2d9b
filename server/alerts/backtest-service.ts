import type pg from "pg";
import {
  DEAD_LETTERS_SERIES,
  PER_BUCKET_STATISTICS,
  type AlertRuleSpec,
  type BacktestRequest,
  type BacktestResponse,
  type MetricDefinition,
} from "../contract";
import { backtest } from "../core/alerting/backtest";
import { checkRule, ruleMetrics } from "../core/alerting/rule-check";
import type { MetricSeries } from "../core/alerting/window";
import { readDeadLetterSeries, readMinuteSeries } from "../db/alert-rollups";
import { AlertAdminError } from "./admin-tx";

const DAY = 86_400_000;
export const BACKTEST_DEFAULT_DAYS = 7;
export const BACKTEST_MAX_DAYS = 31;

function needsSketches(spec: AlertRuleSpec): boolean {
  const s = spec.subject;
  if (s.kind === "metric") return PER_BUCKET_STATISTICS.has(s.statistic);
  if (s.kind === "ratio")
    return (
      PER_BUCKET_STATISTICS.has(s.numerator.statistic) || PER_BUCKET_STATISTICS.has(s.denominator.statistic)
    );
  return false;
}

/**
 * Stored history keeps 1 min buckets, not 10 s ones: a 10 s rule is replayed on 1 min buckets
 * with a window of at least one minute (the answer's `bucket` says so).
 */
function replayable(spec: AlertRuleSpec): AlertRuleSpec {
  if (spec.bucket === "1m") return spec;
  return { ...spec, bucket: "1m", windowMs: Math.max(spec.windowMs, 60_000) };
}

/** Replays stored rollups of a past range through the evaluator (docs/decisions/0030). */
export async function runBacktest(
  pool: pg.Pool,
  request: BacktestRequest,
  definitions: ReadonlyMap<string, MetricDefinition>,
  now: number,
): Promise<BacktestResponse> {
  const issue = checkRule(request.spec, definitions, false)[0];
  if (issue)
    throw new AlertAdminError("invalid", `spec.${issue.field}: ${issue.message}`, `spec.${issue.field}`);
  const to = request.to ? Date.parse(request.to) : now;
  const from = request.from ? Date.parse(request.from) : to - BACKTEST_DEFAULT_DAYS * DAY;
  if (!(from < to)) throw new AlertAdminError("invalid", "from: must be before to", "from");
  if (to - from > BACKTEST_MAX_DAYS * DAY)
    throw new AlertAdminError("invalid", `to: at most ${BACKTEST_MAX_DAYS} days after from`, "to");
  const spec = replayable(request.spec);
  // Two windows of history before `from`: the first window and a change condition's previous one.
  const readFrom = from - 2 * spec.windowMs;
  const series = new Map<string, MetricSeries>();
  if (spec.subject.kind === "dead_letters")
    series.set(DEAD_LETTERS_SERIES, await readDeadLetterSeries(pool, readFrom, to, now));
  else
    for (const metric of ruleMetrics(spec))
      series.set(
        metric,
        await readMinuteSeries(pool, metric, readFrom, to, {
          grouped: spec.groupBy !== null,
          sketches: needsSketches(spec),
          watermark: now,
        }),
      );
  const result = backtest(spec, series, from, to);
  return {
    from,
    to,
    fired: result.fired,
    notifications: result.notifications,
    firingMs: result.firingMs,
    bands: result.bands,
    points: result.points.map((p) => ({ t: p.t, value: p.value })),
    shownGroup: result.points[0]?.group ?? "",
    threshold: spec.condition.threshold,
    recoveryThreshold: spec.recoveryThreshold,
    overflow: result.overflow,
  };
}
