import { TZDate } from "@date-fns/tz";
import type { AlertSilenceSpec, MuteWindow } from "../../contract";

/** Labels an instance is matched by: its rule's labels plus `rule`, `severity` and `group`. */
export type InstanceLabels = Readonly<Record<string, string>>;

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/**
 * Whether `now` falls in a weekly window, read on the zone's wall clock (so 22:00–06:00 stays
 * 22:00–06:00 across a DST change). A window that wraps midnight belongs to the day it starts.
 */
export function inMuteWindow(window: MuteWindow, now: number): boolean {
  const local = new TZDate(now, window.timeZone);
  const day = local.getDay();
  const minute = local.getHours() * 60 + local.getMinutes();
  const start = minutesOf(window.start);
  const end = minutesOf(window.end);
  const has = (d: number) => window.days.includes(d);
  if (start === end) return has(day);
  if (start < end) return has(day) && minute >= start && minute < end;
  return (has(day) && minute >= start) || (has((day + 6) % 7) && minute < end);
}

/** Every matcher must equal the instance's label; the silence must be active at `now`. */
export function silenceApplies(silence: AlertSilenceSpec, labels: InstanceLabels, now: number): boolean {
  if (!silence.matchers.every((m) => labels[m.label] === m.value)) return false;
  if (silence.startsAt && now < Date.parse(silence.startsAt)) return false;
  if (silence.endsAt && now >= Date.parse(silence.endsAt)) return false;
  return silence.recurring ? inMuteWindow(silence.recurring, now) : true;
}

export function isSilenced(
  silences: readonly AlertSilenceSpec[],
  labels: InstanceLabels,
  now: number,
): boolean {
  return silences.some((s) => silenceApplies(s, labels, now));
}
