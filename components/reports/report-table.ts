import { TZDate } from "@date-fns/tz";
import { format } from "date-fns";
import type { SeriesPoint, SeriesResponse } from "../../server/contract/history";
import { historyHeader, toCsv, type CsvCell } from "../../server/core/history/csv";
import type { Stat } from "./report-state";

/**
 * The report table as cells (strings), built once and used for the screen and the CSV
 * export alike, so the export is exactly what is on screen.
 */
export interface ReportTable {
  columns: string[];
  rows: string[][];
}

/** Beyond this, value · 100 is no longer an exact integer: rounding via it would change digits. */
const ROUNDABLE = 2 ** 53 / 100;

/** Numbers as shown: at most 2 decimals, no thousands separators (the CSV stays numeric). */
export function formatNumber(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "";
  // Large magnitudes have (almost) no bits after the point: their shortest form is exact.
  if (Math.abs(value) >= ROUNDABLE) return String(value);
  return String(Math.round(value * 100) / 100);
}

/** Local wall-clock time with its offset, e.g. "2026-11-01 01:00 -05:00" (a repeated hour stays distinct). */
export function formatLocal(iso: string, tz: string): string {
  return format(new TZDate(Date.parse(iso), tz), "yyyy-MM-dd HH:mm xxx");
}

/** Points of one series keyed by bucket index and group (the previous period aligns by index). */
function byIndex(series: SeriesResponse): Map<string, SeriesPoint> {
  const starts = [...new Set(series.points.map((p) => p.t))];
  const index = new Map(starts.map((t, i) => [t, i]));
  return new Map(series.points.map((p) => [`${index.get(p.t) ?? -1}|${p.group ?? ""}`, p]));
}

export function buildReportTable(
  series: SeriesResponse,
  stat: Stat,
  previous: SeriesResponse | null,
): ReportTable {
  const grouped = series.groupBy !== null;
  const columns = [
    `time (${series.tz})`,
    ...(grouped ? [series.groupBy ?? "group"] : []),
    stat,
    ...(stat === "count" ? [] : ["count"]),
    "state",
    ...(previous ? [`previous ${stat}`, "change", "change %"] : []),
  ];
  const before = previous ? byIndex(previous) : null;
  const starts = [...new Set(series.points.map((p) => p.t))];
  const index = new Map(starts.map((t, i) => [t, i]));
  const rows = series.points.map((p) => {
    const value = p[stat];
    const cells = [
      formatLocal(p.t, series.tz),
      ...(grouped ? [p.group ?? ""] : []),
      formatNumber(value),
      ...(stat === "count" ? [] : [formatNumber(p.count)]),
      p.state,
    ];
    if (before) {
      const old = before.get(`${index.get(p.t) ?? -1}|${p.group ?? ""}`)?.[stat] ?? null;
      const change = value !== null && old !== null ? value - old : null;
      cells.push(
        formatNumber(old),
        formatNumber(change),
        change !== null && old ? formatNumber((change / old) * 100) : "",
      );
    }
    return cells;
  });
  return { columns, rows };
}

const NUMERIC = /^-?\d+(\.\d+)?(e[+-]?\d+)?$/;

/** The export: the report's header block, then the table cells as shown. */
export function reportCsv(
  series: SeriesResponse,
  table: ReportTable,
  extra: { stat: Stat; previous: SeriesResponse | null },
): string {
  const header = historyHeader({
    ...series,
    extra: [
      ["statistic", extra.stat],
      ["compared with", extra.previous ? `${extra.previous.from} to ${extra.previous.to}` : "nothing"],
    ],
  });
  // Numeric cells go out as numbers: the formula escaping of text cells must not touch "-3.5".
  const cells: CsvCell[][] = table.rows.map((row) =>
    row.map((cell) => (NUMERIC.test(cell) ? Number(cell) : cell)),
  );
  return toCsv(header, table.columns, cells);
}

/** One chart row per bucket: `<group>` and `<group> (previous)` keys hold the statistic. */
export function chartRows(series: SeriesResponse, stat: Stat, previous: SeriesResponse | null) {
  const groups = series.groupBy ? series.groups : [""];
  const starts = [...new Set(series.points.map((p) => p.t))];
  const current = byIndex(series);
  const before = previous ? byIndex(previous) : null;
  return starts.map((t, i) => {
    const row: Record<string, number | string | null> = { t: formatLocal(t, series.tz) };
    for (const g of groups) {
      const key = g || series.metric;
      row[key] = current.get(`${i}|${g}`)?.[stat] ?? null;
      if (before) row[`${key} (previous)`] = before.get(`${i}|${g}`)?.[stat] ?? null;
    }
    return row;
  });
}

/** True when the range holds no event at all (the empty state). */
export const isEmptySeries = (series: SeriesResponse) => series.points.every((p) => p.count === 0);
