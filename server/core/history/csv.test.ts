import Papa from "papaparse";
import { describe, expect, it } from "vitest";
import type { SeriesResponse } from "../../contract/history";
import { describeFilter, seriesCsv, toCsv } from "./csv";

const series: SeriesResponse = {
  metric: "api_latency",
  tz: "Asia/Kolkata",
  from: "2026-03-08T00:00:00.000+05:30",
  to: "2026-03-09T00:00:00.000+05:30",
  watermark: "2026-03-10T00:00:00.000Z",
  complete: true,
  pendingTooLate: 0,
  filter: [{ attr: "status", op: "gte", value: 500 }],
  step: "1d",
  groupBy: "route",
  groups: ["=cmd()", "(other)"],
  points: [
    {
      t: "2026-03-08T00:00:00.000+05:30",
      end: "2026-03-09T00:00:00.000+05:30",
      group: "=cmd()",
      count: 2,
      sum: 3.5,
      avg: 1.75,
      min: 1,
      max: 2.5,
      p50: 1,
      p90: 2.5,
      p95: 2.5,
      p99: 2.5,
      distinct: 0,
      state: "final",
    },
  ],
};

describe("seriesCsv", () => {
  it("starts with the header block and round-trips the table", () => {
    const csv = seriesCsv(series);
    const lines = csv.split("\r\n");
    expect(lines.slice(0, 7)).toEqual([
      "# metric: api_latency",
      "# range: 2026-03-08T00:00:00.000+05:30 to 2026-03-09T00:00:00.000+05:30",
      "# time zone: Asia/Kolkata",
      "# step: 1d",
      "# filters: status gte 500",
      "# group by: route",
      "# complete up to: 2026-03-10T00:00:00.000Z",
    ]);
    const parsed = Papa.parse<Record<string, string>>(csv, {
      header: true,
      comments: "#",
      skipEmptyLines: true,
    });
    expect(parsed.errors).toEqual([]);
    expect(parsed.data).toHaveLength(1);
    expect(parsed.data[0]).toMatchObject({ t: series.points[0]?.t, count: "2", p95: "2.5", state: "final" });
  });

  it("escapes group names that a spreadsheet would run as formulas", () => {
    expect(seriesCsv(series)).toContain(`"'=cmd()"`);
  });
});

describe("toCsv", () => {
  it("keeps header values on one line and leaves nulls empty", () => {
    expect(toCsv([["note", "a\nb"]], ["x", "y"], [[1, null]])).toBe("# note: a b\r\nx,y\r\n1,\r\n");
  });
});

describe("describeFilter", () => {
  it.each([
    [[], "none"],
    [[{ attr: "status", op: "gte", value: 500 }], "status gte 500"],
    [
      [
        { attr: "route", op: "in", value: ["/a", "/b"] },
        { attr: "user_id", op: "exists" },
      ],
      "route in /a|/b and user_id exists",
    ],
  ] as const)("%j → %s", (filter, text) => {
    expect(describeFilter(filter as never)).toBe(text);
  });
});
