/**
 * Event time (`ts`) of the public contract: an RFC 3339 date-time or epoch milliseconds.
 * Parsed by hand instead of `Date.parse`, which rolls impossible dates over (2026-02-30 →
 * March 2) and takes 24:00:00 as the next midnight.
 */

/**
 * Earliest event time accepted, 1973-03-03T09:46:40Z (10^11 ms). Every plausible epoch-seconds
 * value of the last fifty years (and until the year 5138) is below it, so seconds sent by
 * mistake are never read as a date in 1970.
 */
export const MIN_EVENT_TIME_MS = 100_000_000_000;

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

export type ParsedTime = { ok: true; ms: number } | { ok: false; message: string };

const iso = (ms: number) => new Date(ms).toISOString();

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
}

/** The first field of an RFC 3339 date-time that is out of range, or undefined. */
function outOfRange(f: number[]): string | undefined {
  const [year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, offH = 0, offM = 0] = f;
  if (month < 1 || month > 12) return `month ${month} does not exist`;
  if (day < 1 || day > daysInMonth(year, month))
    return `day ${day} does not exist in ${year}-${String(month).padStart(2, "0")}`;
  if (hour > 23) return `hour ${hour} does not exist (00–23; write 24:00 as 00:00 of the next day)`;
  if (minute > 59) return `minute ${minute} does not exist`;
  if (second === 60) return "leap seconds (:60) are not supported";
  if (second > 59) return `second ${second} does not exist`;
  if (offH > 23 || offM > 59) return "the UTC offset is out of range";
  return undefined;
}

/** An RFC 3339 date-time whose every field exists (no rolling over), as epoch ms. */
export function parseRfc3339(text: string): ParsedTime {
  const m = RFC3339.exec(text);
  if (!m) return { ok: false, message: "ts must be an RFC 3339 timestamp such as 2026-11-25T10:00:00Z" };
  const fields = [1, 2, 3, 4, 5, 6, 10, 11].map((i) => Number(m[i] ?? 0));
  const problem = outOfRange(fields);
  if (problem) return { ok: false, message: `ts ${text}: ${problem}` };
  const [year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0, offH = 0, offM = 0] = fields;
  const date = new Date(0);
  // setUTCFullYear, unlike Date.UTC, does not map years 0–99 to 1900–1999.
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, Number((m[7] ?? "0").padEnd(3, "0").slice(0, 3)));
  const sign = m[9] === "-" ? -1 : 1;
  return { ok: true, ms: date.getTime() - sign * (offH * 60 + offM) * 60_000 };
}

function parseNumber(ts: number): ParsedTime {
  if (!Number.isSafeInteger(ts) || ts <= 0)
    return { ok: false, message: "ts must be a positive integer of epoch milliseconds" };
  return { ok: true, ms: ts };
}

/** Parses `ts` and checks it is not before MIN_EVENT_TIME_MS (with a hint for epoch seconds). */
export function parseEventTime(ts: string | number): ParsedTime {
  const parsed = typeof ts === "number" ? parseNumber(ts) : parseRfc3339(ts);
  if (!parsed.ok || parsed.ms >= MIN_EVENT_TIME_MS) return parsed;
  if (typeof ts === "number" && ts * 1000 >= MIN_EVENT_TIME_MS && ts * 1000 <= Number.MAX_SAFE_INTEGER) {
    return {
      ok: false,
      message: `ts ${ts} looks like epoch seconds (${iso(ts * 1000)}); send epoch milliseconds (${ts * 1000})`,
    };
  }
  return {
    ok: false,
    message: `ts is ${iso(parsed.ms)}, before ${iso(MIN_EVENT_TIME_MS)} (the earliest event time accepted; epoch milliseconds ≥ ${MIN_EVENT_TIME_MS})`,
  };
}

/** A hint for a time far in the future that is plausible when read as microseconds. */
export function futureHint(ts: string | number, now: number): string {
  if (typeof ts !== "number") return "";
  const asMs = Math.floor(ts / 1000);
  return asMs >= MIN_EVENT_TIME_MS && asMs <= now ? `; it looks like epoch microseconds (${iso(asMs)})` : "";
}

export { iso as isoTime };
