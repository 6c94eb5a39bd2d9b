import { TZDate } from "@date-fns/tz";
import { format } from "date-fns";
import { STEPS, isTimeZone, type Step } from "../../server/contract/history";

/** Everything that defines a report view; it lives in the URL so a link reproduces it. */
export interface ReportState {
  metric: string | null;
  from: number;
  to: number;
  /** The preset that produced from/to, or "custom". */
  preset: Preset;
  step: Step | "auto";
  tz: string;
  grouped: boolean;
  limit: number;
  compare: boolean;
  stat: Stat;
}

export const PRESETS = {
  "24h": 86_400_000,
  "7d": 7 * 86_400_000,
  "30d": 30 * 86_400_000,
  "90d": 90 * 86_400_000,
} as const;
export type Preset = keyof typeof PRESETS | "custom";
export const STATS = ["count", "sum", "avg", "min", "max", "p50", "p90", "p95", "p99", "distinct"] as const;
export type Stat = (typeof STATS)[number];
export const LIMITS = [3, 5, 10, 20] as const;
const HOUR = 3_600_000;

/** A preset range ending at the next full hour after `now` (so a reload within the hour matches). */
export function presetRange(preset: keyof typeof PRESETS, now: number): { from: number; to: number } {
  const to = Math.ceil(now / HOUR) * HOUR;
  return { from: to - PRESETS[preset], to };
}

const isPreset = (v: string | null): v is Preset => v === "custom" || (v !== null && v in PRESETS);
const isStep = (v: string | null): v is Step | "auto" =>
  v === "auto" || (STEPS as readonly string[]).includes(v ?? "");
const isStat = (v: string | null): v is Stat => (STATS as readonly string[]).includes(v ?? "");

/** Reads the view from URL parameters; anything missing or malformed falls back to a default. */
export function parseReportState(
  params: URLSearchParams,
  defaults: { now: number; tz: string },
): ReportState {
  const presetParam = params.get("preset");
  const preset: Preset = isPreset(presetParam) ? presetParam : "7d";
  const from = Date.parse(params.get("from") ?? "");
  const to = Date.parse(params.get("to") ?? "");
  const range =
    Number.isFinite(from) && Number.isFinite(to) && to > from
      ? { from, to }
      : presetRange(preset === "custom" ? "7d" : preset, defaults.now);
  const stepParam = params.get("step");
  const statParam = params.get("stat");
  const tzParam = params.get("tz") ?? "";
  const limit = Number(params.get("limit"));
  return {
    metric: params.get("metric") || null,
    ...range,
    preset,
    step: isStep(stepParam) ? stepParam : "auto",
    tz: isTimeZone(tzParam) ? tzParam : defaults.tz,
    grouped: params.get("group") === "1",
    limit: (LIMITS as readonly number[]).includes(limit) ? limit : 5,
    compare: params.get("compare") === "1",
    stat: isStat(statParam) ? statParam : "count",
  };
}

/** The URL parameters of a view (absolute from/to, so the link shows the same data later). */
export function reportSearch(state: ReportState): string {
  const params = new URLSearchParams();
  if (state.metric) params.set("metric", state.metric);
  params.set("from", new Date(state.from).toISOString());
  params.set("to", new Date(state.to).toISOString());
  params.set("preset", state.preset);
  params.set("step", state.step);
  params.set("tz", state.tz);
  if (state.grouped) params.set("group", "1");
  params.set("limit", String(state.limit));
  if (state.compare) params.set("compare", "1");
  params.set("stat", state.stat);
  return params.toString();
}

/** The period just before [from, to), of the same length, for "compare with previous period". */
export function previousPeriod(from: number, to: number): { from: number; to: number } {
  return { from: from - (to - from), to: from };
}

/** Value of a `datetime-local` input showing `ms` in `tz`. */
export function toLocalInput(ms: number, tz: string): string {
  return format(new TZDate(ms, tz), "yyyy-MM-dd'T'HH:mm");
}

/** The instant a `datetime-local` value means in `tz`, or null when it is not a full date and time. */
export function fromLocalInput(text: string, tz: string): number | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(text);
  if (!match) return null;
  const [y, mo, d, h, mi] = match.slice(1).map(Number) as [number, number, number, number, number];
  const ms = new TZDate(y, mo - 1, d, h, mi, tz).getTime();
  return Number.isFinite(ms) ? ms : null;
}
