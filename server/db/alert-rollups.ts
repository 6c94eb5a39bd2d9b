import type pg from "pg";
import type { Summary } from "../contract";
import { summarize } from "../core/aggregate-state";
import type { MetricSeries, SeriesBucket } from "../core/alerting/window";
import { bucketStatus } from "../core/engine";
import { MINUTE_MS } from "../core/time";
import { stateFromRow, type StoredStateColumns } from "./rollup-store";

interface Row extends StoredStateColumns {
  bucket: number;
  group_key: string;
  revisions: number;
}

/**
 * The 1 min rollups of `metric` in [from, to) as bucket summaries (what the back-test feeds the
 * evaluator). Sketches are read only when a per-bucket statistic needs them.
 */
export async function readMinuteSeries(
  pool: pg.Pool,
  metric: string,
  from: number,
  to: number,
  options: { grouped: boolean; sketches: boolean; watermark: number },
): Promise<MetricSeries> {
  const sketchColumns = options.sketches
    ? "quantiles, distinct_sketch"
    : "NULL::bytea AS quantiles, NULL::bytea AS distinct_sketch";
  const { rows } = await pool.query<Row>(
    `SELECT (extract(epoch FROM bucket_start) * 1000)::float8 AS bucket, group_key,
            count, sum, min, max, ${sketchColumns}, revisions
     FROM metric_rollups
     WHERE metric = $1 AND resolution = '1m' AND bucket_start >= $2 AND bucket_start < $3
       ${options.grouped ? "" : "AND group_key = ''"}`,
    [metric, new Date(from), new Date(to)],
  );
  const series = new Map<string, Map<number, SeriesBucket>>();
  for (const row of rows) {
    let starts = series.get(row.group_key);
    if (!starts) series.set(row.group_key, (starts = new Map()));
    const summary: Summary = summarize(stateFromRow(row));
    starts.set(row.bucket, {
      start: row.bucket,
      state: bucketStatus(row.bucket, MINUTE_MS, options.watermark, row.revisions > 0),
      summary,
    });
  }
  return series;
}

/** Dead letters per minute in [from, to) as one all-groups series (the current minute open). */
export async function readDeadLetterSeries(
  pool: pg.Pool,
  from: number,
  to: number,
  now: number,
): Promise<MetricSeries> {
  const { rows } = await pool.query<{ bucket: number; n: number }>(
    `SELECT (extract(epoch FROM date_trunc('minute', received_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC') * 1000)::float8 AS bucket,
            count(*)::int AS n
     FROM dead_letters WHERE received_at >= $1 AND received_at < $2 GROUP BY 1`,
    [new Date(from), new Date(to)],
  );
  const starts = new Map<number, SeriesBucket>();
  for (const row of rows)
    starts.set(row.bucket, {
      start: row.bucket,
      state: row.bucket + MINUTE_MS > now ? "open" : "final",
      summary: {
        count: row.n,
        sum: 0,
        avg: null,
        min: null,
        max: null,
        p50: null,
        p90: null,
        p95: null,
        p99: null,
        distinct: 0,
      },
    });
  return new Map([["", starts]]);
}
