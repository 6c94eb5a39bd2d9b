import { describe, expect, it } from "vitest";
import { alignDown, autoStep, bucketBoundaries, formatInZone, offsetReader } from "./buckets";

const H = 3_600_000;
const utc = (iso: string) => Date.parse(iso);
const hours = (boundaries: number[]) => boundaries.slice(1).map((b, i) => (b - (boundaries[i] ?? 0)) / H);

describe("bucketBoundaries in a zone", () => {
  it.each([
    // zone, from, to, step, first boundary (local), lengths in hours
    [
      "America/New_York",
      "2026-03-07T12:00:00Z",
      "2026-03-10T04:00:00Z",
      "1d",
      "2026-03-07T00:00:00.000-05:00",
      [24, 23, 24],
    ],
    [
      "America/New_York",
      "2026-10-31T12:00:00Z",
      "2026-11-03T04:00:00Z",
      "1d",
      "2026-10-31T00:00:00.000-04:00",
      [24, 25, 24],
    ],
    [
      "Asia/Kolkata",
      "2026-03-08T00:00:00Z",
      "2026-03-10T00:00:00Z",
      "1d",
      "2026-03-08T00:00:00.000+05:30",
      [24, 24, 24],
    ],
    ["UTC", "2026-03-08T00:00:00Z", "2026-03-10T00:00:00Z", "1d", "2026-03-08T00:00:00.000+00:00", [24, 24]],
    [
      "Asia/Kolkata",
      "2026-03-08T00:10:00Z",
      "2026-03-08T02:00:00Z",
      "1h",
      "2026-03-08T05:00:00.000+05:30",
      [1, 1, 1],
    ],
  ] as const)("%s %s..%s step %s", (tz, from, to, step, first, lengths) => {
    const boundaries = bucketBoundaries(utc(from), utc(to), step, tz, 1000) ?? [];
    expect(formatInZone(boundaries[0] ?? 0, tz)).toBe(first);
    expect(hours(boundaries)).toEqual(lengths);
  });

  it("splits the repeated 01:00 of a fall-back night into two hourly buckets", () => {
    const tz = "America/New_York";
    const boundaries =
      bucketBoundaries(utc("2026-11-01T04:00:00Z"), utc("2026-11-01T08:00:00Z"), "1h", tz, 100) ?? [];
    expect(boundaries.map((b) => formatInZone(b, tz))).toEqual([
      "2026-11-01T00:00:00.000-04:00",
      "2026-11-01T01:00:00.000-04:00",
      "2026-11-01T01:00:00.000-05:00",
      "2026-11-01T02:00:00.000-05:00",
      "2026-11-01T03:00:00.000-05:00",
    ]);
  });

  it("skips the missing 02:00 of a spring-forward night", () => {
    const tz = "America/New_York";
    const boundaries =
      bucketBoundaries(utc("2026-03-08T06:00:00Z"), utc("2026-03-08T08:00:00Z"), "1h", tz, 100) ?? [];
    expect(boundaries.map((b) => formatInZone(b, tz))).toEqual([
      "2026-03-08T01:00:00.000-05:00",
      "2026-03-08T03:00:00.000-04:00",
      "2026-03-08T04:00:00.000-04:00",
    ]);
  });

  it("returns null instead of allocating past the bucket limit", () => {
    expect(bucketBoundaries(0, 86_400_000, "1m", "UTC", 100)).toBeNull();
    expect(bucketBoundaries(0, 86_400_000, "1m", "UTC", 1440)).toHaveLength(1441);
  });
});

describe("alignDown", () => {
  it.each([
    ["2026-03-08T05:07:31Z", "15m", "Asia/Kolkata", "2026-03-08T05:00:00Z"],
    ["2026-03-08T05:07:31Z", "5m", "UTC", "2026-03-08T05:05:00Z"],
    ["2026-03-08T05:07:31Z", "1h", "Asia/Kolkata", "2026-03-08T04:30:00Z"],
    ["2026-03-08T05:07:31Z", "1d", "Asia/Kolkata", "2026-03-07T18:30:00Z"],
    ["2026-03-08T05:07:31Z", "1d", "America/New_York", "2026-03-08T05:00:00Z"],
    ["2026-03-08T03:07:31Z", "1d", "America/New_York", "2026-03-07T05:00:00Z"],
    ["2026-03-08T05:07:31Z", "1m", "Asia/Kathmandu", "2026-03-08T05:07:00Z"],
  ] as const)("%s to %s in %s", (ts, step, tz, expected) => {
    expect(new Date(alignDown(utc(ts), step, tz)).toISOString()).toBe(new Date(utc(expected)).toISOString());
  });
});

describe("autoStep", () => {
  it.each([
    [60 * 60_000, "1m"],
    [24 * H, "5m"],
    [7 * 24 * H, "15m"],
    [30 * 24 * H, "1h"],
    [90 * 24 * H, "1d"],
    [400 * 24 * H, "1d"],
  ] as const)("%d ms → %s", (span, step) => {
    expect(autoStep(0, span)).toBe(step);
  });
});

describe("formatInZone with looked-up offsets", () => {
  it.each(["UTC", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "Asia/Kathmandu"])(
    "matches TZDate text in %s every 20 minutes across a year",
    (tz) => {
      const offsetAt = offsetReader(tz);
      for (let ts = utc("2026-01-01T00:00:00Z"); ts < utc("2027-01-01T00:00:00Z"); ts += 20 * 60_000) {
        const fast = formatInZone(ts, tz, offsetAt);
        if (fast !== formatInZone(ts, tz)) expect(fast).toBe(formatInZone(ts, tz));
      }
    },
  );

  it("keeps Lord Howe's 30-minute DST shift on local hour boundaries", () => {
    const tz = "Australia/Lord_Howe";
    const boundaries =
      bucketBoundaries(utc("2026-04-04T13:00:00Z"), utc("2026-04-04T18:00:00Z"), "1h", tz, 100) ?? [];
    for (const b of boundaries) expect(formatInZone(b, tz).slice(14, 16)).toBe("00");
  });
});
