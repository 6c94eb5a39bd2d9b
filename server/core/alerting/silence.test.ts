import { describe, expect, it } from "vitest";
import { AlertSilenceSpec } from "../../contract";
import { inMuteWindow, isSilenced } from "./silence";

const weekdayNights = { days: [1, 2, 3, 4, 5], start: "22:00", end: "06:00", timeZone: "Europe/Berlin" };
const utc = (iso: string) => Date.parse(iso);

describe("mute windows on the zone's wall clock", () => {
  it.each([
    // Winter (CET, +01:00): Tuesday 05:30 (the window Monday 22:00 started) local = 04:30 UTC is muted, 06:00 local is not.
    ["2026-03-24T04:30:00Z", true],
    ["2026-03-24T05:00:00Z", false],
    // Summer (CEST, +02:00) after the 29 March change: the same 04:30 UTC is 06:30 local.
    ["2026-03-31T04:30:00Z", false],
    ["2026-03-31T03:30:00Z", true],
    // Friday 22:00 local starts the window (summer: 20:00 UTC); it runs into Saturday morning.
    ["2026-07-03T19:59:00Z", false],
    ["2026-07-03T20:00:00Z", true],
    ["2026-07-04T03:59:00Z", true],
    // Saturday and Sunday nights are not listed: Sunday 22:30 and Monday 00:30 local are not muted.
    ["2026-07-04T20:30:00Z", false],
    ["2026-07-05T20:30:00Z", false],
    ["2026-07-05T22:30:00Z", false],
    // Autumn change (25 October 2026, 03:00 CEST → 02:00 CET): Tuesday 27th 05:59 CET = 04:59 UTC.
    ["2026-10-27T04:59:00Z", true],
    ["2026-10-27T05:00:00Z", false],
  ])("%s muted: %s", (iso, muted) => {
    expect(inMuteWindow(weekdayNights, utc(iso))).toBe(muted);
  });

  it("a window with start < end, and start = end meaning the whole day", () => {
    const lunch = { days: [3], start: "12:00", end: "13:00", timeZone: "America/New_York" };
    expect(inMuteWindow(lunch, utc("2026-11-04T17:30:00Z"))).toBe(true); // Wed 12:30 EST
    expect(inMuteWindow(lunch, utc("2026-11-04T18:00:00Z"))).toBe(false);
    expect(inMuteWindow({ ...lunch, start: "00:00", end: "00:00" }, utc("2026-11-04T05:00:00Z"))).toBe(true);
  });
});

describe("silences", () => {
  const labels = { rule: "API latency", severity: "critical", group: "/checkout", team: "payments" };
  it("apply when every matcher equals a label and the time is inside", () => {
    const s = AlertSilenceSpec.parse({
      matchers: [{ label: "team", value: "payments" }],
      startsAt: "2026-11-01T10:00:00Z",
      endsAt: "2026-11-01T11:00:00Z",
    });
    expect(isSilenced([s], labels, utc("2026-11-01T10:30:00Z"))).toBe(true);
    expect(isSilenced([s], labels, utc("2026-11-01T11:00:00Z"))).toBe(false);
    expect(isSilenced([s], labels, utc("2026-11-01T09:59:59Z"))).toBe(false);
    expect(isSilenced([s], { ...labels, team: "search" }, utc("2026-11-01T10:30:00Z"))).toBe(false);
  });

  it("recurring silences follow their window", () => {
    const s = AlertSilenceSpec.parse({
      matchers: [{ label: "rule", value: "API latency" }],
      recurring: weekdayNights,
    });
    expect(isSilenced([s], labels, utc("2026-03-31T03:30:00Z"))).toBe(true);
    expect(isSilenced([s], labels, utc("2026-03-31T04:30:00Z"))).toBe(false);
  });
});
