import Papa from "papaparse";
import { describe, expect, it } from "vitest";
import type { SeriesPoint, SeriesResponse } from "../../server/contract/history";
import {
  buildReportTable,
  chartRows,
  formatLocal,
  formatNumber,
  isEmptySeries,
  reportCsv,
} from "./report-table";

const point = (
  t: string,
  end: string,
  group: string | undefined,
  count: number,
  p95: number | null,
): SeriesPoint => ({
  t,
  end,
  ...(group === undefined ? {} : { group }),
  count,
  sum: count * 10,
  avg: count ? 10 : null,
  min: count ? 1 : null,
  max: count ? 20 : null,
  p50: p95,
  p90: p95,
  p95,
  p99: p95,
  distinct: 0,
  state: "final",
});

function series(points: SeriesPoint[], groupBy: string | null, groups: string[] = []): SeriesResponse {
  return {
    metric: "api_latency",
    tz: "America/New_York",
    from: points[0]?.t ?? "",
    to: points.at(-1)?.end ?? "",
    watermark: "2026-11-02T00:00:00.000Z",
    complete: true,
    pendingTooLate: 0,
    filter: [],
    step: "1h",
    groupBy,
    groups,
    points,
  };
}

const T1 = "2026-11-01T01:00:00.000-04:00";
const T2 = "2026-11-01T01:00:00.000-05:00";
const T3 = "2026-11-01T02:00:00.000-05:00";

describe("formatNumber", () => {
  it.each([
    [null, ""],
    [3, "3"],
    [3.14159, "3.14"],
    [-2.005, "-2"],
    [1234567.891, "1234567.89"],
  ] as const)("%s → %s", (value, text) => expect(formatNumber(value)).toBe(text));

  // Rounding through value · 100 changed the digits of large sums (a table cell and CSV export).
  it.each([
    [1e21, "1e+21"],
    [123456789012345.67, "123456789012345.67"],
    [-987654321098765.4, "-987654321098765.4"],
  ] as const)("keeps every digit of the large %s", (value, text) => {
    expect(formatNumber(value)).toBe(text);
    expect(Number(formatNumber(value))).toBe(value);
  });
});

describe("formatLocal", () => {
  it("keeps the two 01:00 hours of a fall-back night apart", () => {
    expect([formatLocal(T1, "America/New_York"), formatLocal(T2, "America/New_York")]).toEqual([
      "2026-11-01 01:00 -04:00",
      "2026-11-01 01:00 -05:00",
    ]);
    expect(formatLocal("2026-03-08T00:00:00.000Z", "Asia/Kolkata")).toBe("2026-03-08 05:30 +05:30");
  });
});

describe("buildReportTable", () => {
  const current = series(
    [
      point(T1, T2, "a", 10, 50),
      point(T1, T2, "(other)", 2, 80),
      point(T2, T3, "a", 4, 40),
      point(T2, T3, "(other)", 0, null),
    ],
    "route",
    ["a", "(other)"],
  );
  const previous = series(
    [
      point(T1, T2, "a", 5, 25),
      point(T1, T2, "(other)", 0, null),
      point(T2, T3, "a", 8, 50),
      point(T2, T3, "(other)", 1, 10),
    ],
    "route",
    ["a", "(other)"],
  );

  it("lists bucket × group with the statistic, count and state", () => {
    const table = buildReportTable(current, "p95", null);
    expect(table.columns).toEqual(["time (America/New_York)", "route", "p95", "count", "state"]);
    expect(table.rows[0]).toEqual(["2026-11-01 01:00 -04:00", "a", "50", "10", "final"]);
    expect(table.rows[3]).toEqual(["2026-11-01 01:00 -05:00", "(other)", "", "0", "final"]);
  });

  it("adds previous values and deltas aligned by bucket index", () => {
    const table = buildReportTable(current, "p95", previous);
    expect(table.columns.slice(-3)).toEqual(["previous p95", "change", "change %"]);
    expect(table.rows.map((r) => r.slice(-3))).toEqual([
      ["25", "25", "100"],
      ["", "", ""],
      ["50", "-10", "-20"],
      ["10", "", ""],
    ]);
  });

  it("exports exactly the table cells under the header block", () => {
    const table = buildReportTable(current, "p95", previous);
    const csv = reportCsv(current, table, { stat: "p95", previous });
    expect(csv).toContain("# time zone: America/New_York\r\n");
    expect(csv).toContain("# statistic: p95\r\n");
    expect(csv).toContain(`# compared with: ${previous.from} to ${previous.to}\r\n`);
    const parsed = Papa.parse<string[]>(csv, { comments: "#", skipEmptyLines: true });
    expect(parsed.data[0]).toEqual(table.columns);
    expect(parsed.data.slice(1)).toEqual(table.rows);
  });
});

describe("chartRows", () => {
  it("has one row per bucket with current and previous values per group", () => {
    const rows = chartRows(
      series([point(T1, T2, undefined, 3, 7), point(T2, T3, undefined, 1, 9)], null),
      "count",
      series([point(T1, T2, undefined, 2, 7), point(T2, T3, undefined, 5, 9)], null),
    );
    expect(rows).toEqual([
      { t: "2026-11-01 01:00 -04:00", api_latency: 3, "api_latency (previous)": 2 },
      { t: "2026-11-01 01:00 -05:00", api_latency: 1, "api_latency (previous)": 5 },
    ]);
  });
});

describe("isEmptySeries", () => {
  it("is true only when no bucket has an event", () => {
    expect(isEmptySeries(series([point(T1, T2, undefined, 0, null)], null))).toBe(true);
    expect(isEmptySeries(series([point(T1, T2, undefined, 1, 3)], null))).toBe(false);
  });
});
