import { describe, expect, it } from "vitest";
import {
  batchWatermark,
  DAY_MS,
  HOUR_MS,
  hoursOfDay,
  isFinal,
  periodKey,
  planCompaction,
  type PeriodStatus,
} from "./periods";

const DAY = Date.UTC(2026, 10, 20);
const settings = { outOfOrdernessMs: 5_000, allowedLatenessMs: 10 * 60_000 };
const LATENESS = settings.allowedLatenessMs;

describe("isFinal", () => {
  it.each([
    ["no watermark", "1h", DAY, null, false],
    ["hour just ended", "1h", DAY, DAY + HOUR_MS, false],
    ["hour end + lateness - 1 ms", "1h", DAY, DAY + HOUR_MS + LATENESS - 1, false],
    ["hour end + lateness", "1h", DAY, DAY + HOUR_MS + LATENESS, true],
    ["day at its last hour's finality", "1d", DAY, DAY + DAY_MS + LATENESS, true],
    ["day one ms earlier", "1d", DAY, DAY + DAY_MS + LATENESS - 1, false],
  ] as const)("%s", (_name, resolution, start, watermark, expected) => {
    expect(isFinal(resolution, start, watermark, settings)).toBe(expected);
  });
});

describe("batchWatermark", () => {
  it.each([
    ["no consumer", [], null],
    ["a consumer without events", [DAY, null], null],
    ["the slowest consumer wins", [DAY + 10_000, DAY + 60_000], DAY + 5_000],
    ["a clock ahead of the scheduler's now is bounded by it", [DAY + HOUR_MS], DAY + 60_000 - 5_000],
  ] as const)("%s", (_name, times, expected) => {
    expect(batchWatermark(times, settings, DAY + 60_000)).toBe(expected);
  });
});

const statuses = (entries: [string, PeriodStatus][]) => new Map(entries);

describe("planCompaction", () => {
  it("plans nothing before the first hour is final", () => {
    const plan = planCompaction({
      earliestMinute: DAY + 3 * HOUR_MS,
      watermark: DAY + 4 * HOUR_MS + LATENESS - 1,
      settings,
      statuses: new Map(),
      maxHours: 100,
    });
    expect(plan).toEqual({ hours: [DAY, DAY + HOUR_MS, DAY + 2 * HOUR_MS], days: [] });
  });

  it("starts at the day of the earliest minute, skips compacted hours, keeps dirty ones", () => {
    const plan = planCompaction({
      earliestMinute: DAY + 2 * HOUR_MS + 5 * 60_000,
      watermark: DAY + 3 * HOUR_MS + LATENESS,
      settings,
      statuses: statuses([
        [periodKey("1h", DAY), "compacted"],
        [periodKey("1h", DAY + HOUR_MS), "dirty"],
      ]),
      maxHours: 100,
    });
    expect(plan.hours).toEqual([DAY + HOUR_MS, DAY + 2 * HOUR_MS]);
  });

  it("caps the hours of one plan, oldest first", () => {
    const plan = planCompaction({
      earliestMinute: DAY,
      watermark: DAY + DAY_MS,
      settings,
      statuses: new Map(),
      maxHours: 2,
    });
    expect(plan.hours).toEqual([DAY, DAY + HOUR_MS]);
  });

  it.each([
    ["a day waits while one hour is missing", hoursOfDay(DAY).slice(1), []],
    ["a day waits while one hour is dirty", hoursOfDay(DAY), [], DAY + 5 * HOUR_MS],
    ["a day with all hours compacted is planned", hoursOfDay(DAY), [DAY]],
  ] as const)("%s", (_name, compacted, expectedDays, dirtyHour?: number) => {
    const entries: [string, PeriodStatus][] = compacted.map((h) => [periodKey("1h", h), "compacted"]);
    if (dirtyHour !== undefined) entries.push([periodKey("1h", dirtyHour), "dirty"]);
    const plan = planCompaction({
      earliestMinute: DAY + 7 * HOUR_MS,
      watermark: DAY + DAY_MS + LATENESS,
      settings,
      statuses: statuses(entries),
      maxHours: 100,
    });
    expect(plan.days).toEqual(expectedDays);
  });

  it("re-plans a dirty day, not a compacted one", () => {
    const hours: [string, PeriodStatus][] = hoursOfDay(DAY).map((h) => [periodKey("1h", h), "compacted"]);
    const base = { earliestMinute: DAY, watermark: DAY + 3 * DAY_MS, settings, maxHours: 100 };
    const next = DAY + DAY_MS;
    const nextHours: [string, PeriodStatus][] = hoursOfDay(next).map((h) => [
      periodKey("1h", h),
      "compacted",
    ]);
    const plan = planCompaction({
      ...base,
      statuses: statuses([
        ...hours,
        ...nextHours,
        [periodKey("1d", DAY), "dirty"],
        [periodKey("1d", next), "compacted"],
      ]),
    });
    expect(plan.days).toEqual([DAY]);
  });
});
