import type pg from "pg";
import type { SeriesResponse, Step } from "../../server/contract/history";
import { querySeries, type HistoryDeps } from "../../server/history/history";
import { percentile, round } from "../lib/stats";
import { BENCH_METRIC } from "./generate";

/** One measured question: a series request and its raw GROUP BY equivalent. */
export interface HistoryCase {
  label: string;
  days: number;
  step: Extract<Step, "1h" | "1d">;
  grouped: boolean;
  tz: string;
  /** Cases outside the goal (other zones) are measured with fewer runs. */
  goal: boolean;
}

export interface CaseResult extends HistoryCase {
  points: number;
  api: { runs: number; p50Ms: number; p95Ms: number };
  raw: { runs: number; p50Ms: number; p95Ms: number } | null;
  /** raw p95 / api p95. */
  speedup: number | null;
  /** Agreement with the raw answer: count mismatches and the largest relative p95 difference. */
  agreement: { countMismatches: number; maxP95RelativeDiff: number } | null;
}

const RAW_SQL = (grouped: boolean) => `
SELECT (extract(epoch FROM date_trunc($1, ts, $2)) * 1000)::float8 AS b, ${grouped ? "attrs->>'route'" : "''"} AS g,
       count(*)::int AS count, sum(value) AS sum, avg(value) AS avg, min(value) AS min, max(value) AS max,
       percentile_cont(ARRAY[0.5, 0.9, 0.95, 0.99]) WITHIN GROUP (ORDER BY value) AS pct
FROM raw_events
WHERE type = 'api_request' AND ts >= $3 AND ts < $4
GROUP BY 1, 2`;

interface RawRow {
  b: number;
  g: string;
  count: number;
  pct: number[];
}

async function timed<T>(run: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = process.hrtime.bigint();
  const value = await run();
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, value };
}

const stats = (samples: number[]) => {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    runs: samples.length,
    p50Ms: round(percentile(sorted, 0.5) ?? 0, 2),
    p95Ms: round(percentile(sorted, 0.95) ?? 0, 2),
  };
};

function agreement(series: SeriesResponse, raw: RawRow[]) {
  const byKey = new Map(raw.map((r) => [`${r.b}|${r.g}`, r]));
  let countMismatches = 0;
  let maxP95RelativeDiff = 0;
  for (const point of series.points) {
    if (point.group === "(other)") continue;
    const row = byKey.get(`${Date.parse(point.t)}|${point.group ?? ""}`);
    if ((row?.count ?? 0) !== point.count) countMismatches++;
    const p95 = row?.pct[2];
    if (p95 && point.p95 !== null)
      maxP95RelativeDiff = Math.max(maxP95RelativeDiff, Math.abs(point.p95 - p95) / p95);
  }
  return { countMismatches, maxP95RelativeDiff: round(maxP95RelativeDiff, 5) };
}

/** Times `apiRuns` series requests (after warm-up) and `rawRuns` raw GROUP BY queries of one case. */
export async function measureCase(
  deps: HistoryDeps,
  rawPool: pg.Pool,
  dataEnd: number,
  c: HistoryCase,
  runs: { api: number; raw: number },
): Promise<CaseResult> {
  const from = dataEnd - c.days * 86_400_000;
  const query = {
    from,
    to: dataEnd,
    step: c.step,
    tz: c.tz,
    limit: 5,
    format: "json" as const,
    groupBy: c.grouped ? "route" : undefined,
  };
  for (let i = 0; i < 3; i++) await querySeries(deps, BENCH_METRIC, query);
  const samples: number[] = [];
  let series: SeriesResponse | undefined;
  for (let i = 0; i < runs.api; i++) {
    const { ms, value } = await timed(() => querySeries(deps, BENCH_METRIC, query));
    samples.push(ms);
    series = value;
  }
  const api = stats(samples);
  let raw: CaseResult["raw"] = null;
  let rawRows: RawRow[] = [];
  if (runs.raw > 0) {
    const rawSamples: number[] = [];
    const params = [c.step === "1d" ? "day" : "hour", c.tz, new Date(from), new Date(dataEnd)];
    for (let i = 0; i < runs.raw + 1; i++) {
      const { ms, value } = await timed(() => rawPool.query<RawRow>(RAW_SQL(c.grouped), params));
      if (i > 0) rawSamples.push(ms); // the first run warms the page cache
      rawRows = value.rows;
    }
    raw = stats(rawSamples);
  }
  return {
    ...c,
    points: series?.points.length ?? 0,
    api,
    raw,
    speedup: raw ? round(raw.p95Ms / api.p95Ms, 1) : null,
    agreement: raw && series ? agreement(series, rawRows) : null,
  };
}
