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
