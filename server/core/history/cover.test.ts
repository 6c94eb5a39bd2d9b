import { describe, expect, it } from "vitest";
import { coverBuckets, coverRange, DAY_MS, HOUR_MS, type CompactedPeriods, type Segment } from "./cover";

const t = (iso: string) => Date.parse(iso);
const none: CompactedPeriods = { hours: new Set(), days: new Set() };
const allHours = (from: string, count: number) =>
  new Set(Array.from({ length: count }, (_, i) => t(from) + i * HOUR_MS));
const show = (segments: Segment[]) =>
  segments.map(
    (s) =>
      `${s.resolution} ${new Date(s.start).toISOString().slice(5, 16)}..${new Date(s.end).toISOString().slice(5, 16)}`,
  );

describe("coverRange", () => {
  it("uses 1-minute rows for everything when nothing is compacted", () => {
    expect(show(coverRange(t("2026-03-08T00:00Z"), t("2026-03-09T00:00Z"), none))).toEqual([
      "1m 03-08T00:00..03-09T00:00",
    ]);
  });

  it("covers a Kolkata day with 23 compacted hours and 1-minute edges", () => {
    const compacted = { hours: allHours("2026-03-07T00:00Z", 72), days: new Set([t("2026-03-08T00:00Z")]) };
    // Local day 2026-03-08 in +05:30 is [03-07T18:30Z, 03-08T18:30Z): no UTC day fits inside.
    expect(show(coverRange(t("2026-03-07T18:30Z"), t("2026-03-08T18:30Z"), compacted))).toEqual([
      "1m 03-07T18:30..03-07T19:00",
      "1h 03-07T19:00..03-08T18:00",
      "1m 03-08T18:00..03-08T18:30",
    ]);
  });

  it("prefers a compacted day, falls back to hours for a dirty day and to minutes for a dirty hour", () => {
    const hours = allHours("2026-03-08T00:00Z", 48);
    hours.delete(t("2026-03-09T05:00Z")); // dirty or absent
    const compacted = { hours, days: new Set([t("2026-03-08T00:00Z")]) }; // 03-09 not compacted
    expect(show(coverRange(t("2026-03-08T00:00Z"), t("2026-03-10T00:00Z"), compacted))).toEqual([
      "1d 03-08T00:00..03-09T00:00",
      "1h 03-09T00:00..03-09T05:00",
      "1m 03-09T05:00..03-09T06:00",
      "1h 03-09T06:00..03-10T00:00",
    ]);
  });

  it("tiles the range exactly: no gap, no overlap", () => {
    const compacted = {
      hours: allHours("2026-03-01T00:00Z", 24 * 20),
      days: new Set([t("2026-03-05T00:00Z")]),
    };
    const segments = coverRange(t("2026-03-03T07:13Z"), t("2026-03-09T21:47Z"), compacted);
    segments.forEach((s, i) => {
      if (i > 0) expect(s.start).toBe(segments[i - 1]?.end);
      if (s.resolution === "1d") expect(s.start % DAY_MS).toBe(0);
      if (s.resolution === "1h") expect(s.start % HOUR_MS).toBe(0);
    });
    expect(segments[0]?.start).toBe(t("2026-03-03T07:13Z"));
    expect(segments.at(-1)?.end).toBe(t("2026-03-09T21:47Z"));
  });
});

describe("coverBuckets", () => {
  it("joins adjacent segments of one tier across buckets", () => {
    const compacted = { hours: allHours("2026-03-08T00:00Z", 3), days: new Set<number>() };
    const boundaries = [0, 1, 2, 3].map((i) => t("2026-03-08T00:00Z") + i * HOUR_MS);
    expect(show(coverBuckets(boundaries, compacted))).toEqual(["1h 03-08T00:00..03-08T03:00"]);
  });
});
