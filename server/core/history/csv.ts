import Papa from "papaparse";
import type { BreakdownResponse, SeriesResponse } from "../../contract/history";
import type { FilterCondition } from "../../contract/metrics";

/** A CSV cell: numbers stay numbers; text that looks like a formula is escaped (papaparse escapeFormulae). */
export type CsvCell = string | number | null;

/** One `# name: value` line of the header block that precedes the table. */
export type CsvHeader = readonly (readonly [string, string])[];

/**
 * CSV with a header block of `#` comment lines (metric, range, zone, step, filters, group-by,
 * "complete up to" watermark) and then the table; read it back with `comments: "#"`.
 */
export function toCsv(
  header: CsvHeader,
  columns: readonly string[],
  rows: readonly (readonly CsvCell[])[],
): string {
  const block = header.map(([name, value]) => `# ${name}: ${value.replace(/[\r\n]+/g, " ")}`).join("\r\n");
  const table = Papa.unparse(
    { fields: [...columns], data: rows.map((row) => [...row]) },
    { escapeFormulae: true },
  );
  return `${block}\r\n${table}\r\n`;
}

/** Filter conditions as text, e.g. `status gte 500`; "none" when empty. */
export function describeFilter(filter: readonly FilterCondition[]): string {
  if (filter.length === 0) return "none";
  return filter
    .map((c) =>
      "value" in c
        ? `${c.attr} ${c.op} ${Array.isArray(c.value) ? c.value.join("|") : String(c.value)}`
        : `${c.attr} ${c.op}`,
    )
    .join(" and ");
}

/** The header block shared by API exports and the /reports export. */
export function historyHeader(info: {
  metric: string;
  from: string;
  to: string;
  tz: string;
  step: string;
  filter: readonly FilterCondition[];
  groupBy: string | null;
  watermark: string | null;
  extra?: CsvHeader;
}): CsvHeader {
  return [
    ["metric", info.metric],
    ["range", `${info.from} to ${info.to}`],
    ["time zone", info.tz],
    ["step", info.step],
    ["filters", describeFilter(info.filter)],
    ["group by", info.groupBy ?? "none"],
    ["complete up to", info.watermark ?? "nothing final yet"],
    ...(info.extra ?? []),
  ];
}

const FIGURES = [
  "count",
  "sum",
  "avg",
  "min",
  "max",
  "p50",
  "p90",
  "p95",
  "p99",
  "distinct",
  "state",
] as const;

export function seriesCsv(series: SeriesResponse): string {
  const grouped = series.groupBy !== null;
  const columns = ["t", "end", ...(grouped ? ["group"] : []), ...FIGURES];
  const rows = series.points.map((p) => [
    p.t,
    p.end,
    ...(grouped ? [p.group ?? ""] : []),
    ...FIGURES.map((f) => p[f]),
  ]);
  return toCsv(historyHeader(series), columns, rows);
}

export function breakdownCsv(breakdown: BreakdownResponse): string {
  const header = historyHeader({ ...breakdown, step: "whole range", groupBy: breakdown.by });
  const rows = [...breakdown.rows, breakdown.total].map((r) => [
    r.group === "" ? "(total)" : r.group,
    ...FIGURES.map((f) => r[f]),
  ]);
  return toCsv(header, ["group", ...FIGURES], rows);
}
