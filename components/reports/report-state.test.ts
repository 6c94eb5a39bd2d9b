import { describe, expect, it } from "vitest";
import {
  fromLocalInput,
  toLocalInput,
  parseReportState,
  presetRange,
  previousPeriod,
  reportSearch,
  type ReportState,
} from "./report-state";

const NOW = Date.parse("2026-11-25T10:17:00Z");
const defaults = { now: NOW, tz: "Europe/Berlin" };

describe("parseReportState", () => {
  it("falls back to 7 days up to the next full hour, the browser zone, auto step and count", () => {
    expect(parseReportState(new URLSearchParams(""), defaults)).toEqual({
      metric: null,
      from: Date.parse("2026-11-18T11:00:00Z"),
      to: Date.parse("2026-11-25T11:00:00Z"),
      preset: "7d",
      step: "auto",
      tz: "Europe/Berlin",
      grouped: false,
      limit: 5,
      compare: false,
      stat: "count",
    });
  });

  it.each([
    ["tz=Mars/Base", "tz", "Europe/Berlin"],
    ["step=2h", "step", "auto"],
    ["stat=median", "stat", "count"],
    ["limit=7", "limit", 5],
    ["preset=1y", "preset", "7d"],
  ] as const)("ignores a malformed %s", (query, key, value) => {
    expect(parseReportState(new URLSearchParams(query), defaults)[key]).toBe(value);
  });

  it("round-trips through the URL", () => {
    const state: ReportState = {
      metric: "api_latency",
      from: Date.parse("2026-03-07T05:00:00Z"),
      to: Date.parse("2026-03-10T04:00:00Z"),
      preset: "custom",
      step: "1d",
      tz: "America/New_York",
      grouped: true,
      limit: 3,
      compare: true,
      stat: "p95",
    };
    expect(parseReportState(new URLSearchParams(reportSearch(state)), defaults)).toEqual(state);
  });
});

describe("ranges", () => {
  it.each([
    ["24h", "2026-11-24T11:00:00Z"],
    ["30d", "2026-10-26T11:00:00Z"],
    ["90d", "2026-08-27T11:00:00Z"],
  ] as const)("preset %s starts at %s", (preset, from) => {
    expect(presetRange(preset, NOW)).toEqual({
      from: Date.parse(from),
      to: Date.parse("2026-11-25T11:00:00Z"),
    });
  });

  it("takes the previous period of the same length", () => {
    expect(previousPeriod(100, 250)).toEqual({ from: -50, to: 100 });
  });
});

describe("datetime-local inputs in a zone", () => {
  it.each([
    ["2026-03-08T00:00", "Asia/Kolkata", "2026-03-07T18:30:00.000Z"],
    ["2026-03-08T03:00", "America/New_York", "2026-03-08T07:00:00.000Z"],
    ["2026-11-01T00:00", "UTC", "2026-11-01T00:00:00.000Z"],
  ])("%s in %s is %s and back", (text, tz, iso) => {
    const ms = fromLocalInput(text, tz);
    expect(new Date(ms ?? 0).toISOString()).toBe(iso);
    expect(toLocalInput(ms ?? 0, tz)).toBe(text);
  });

  it("refuses incomplete input", () => {
    expect(fromLocalInput("2026-03-08", "UTC")).toBeNull();
  });
});
