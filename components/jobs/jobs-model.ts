import type { DriftView, JobRunView } from "../../server/contract";

/** "850 ms", "12.3 s", "4 min 5 s"; "running" while unfinished. */
export function formatDuration(ms: number | null): string {
  if (ms === null) return "running";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms - minutes * 60_000) / 1000)} s`;
}

/** "2026-11-20 14:00 UTC" — every time on /jobs is UTC, as are the periods. */
export const formatUtc = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;

export interface DriftBar {
  hour: string;
  /** Drifted 1m rows, over all metrics, in the hour's runs. */
  rows: number;
  /** Events the batch counted that the stream had not (too-late ones, mostly) in the `events` metric. */
  events: number;
}

/** Drift per hour for the chart, oldest first. */
export function driftByHour(drift: readonly DriftView[]): DriftBar[] {
  const bars = new Map<string, DriftBar>();
  for (const d of drift) {
    const bar = bars.get(d.hour) ?? { hour: d.hour, rows: 0, events: 0 };
    bar.rows += d.bucketsDrifted;
    if (d.metric === "events") bar.events += d.batchCount - d.streamedCount;
    bars.set(d.hour, bar);
  }
  return [...bars.values()].sort((a, b) => a.hour.localeCompare(b.hour));
}

export interface RunTotals {
  completed: number;
  failed: number;
  running: number;
  retried: number;
}

/** Tile figures over the listed runs. */
export function runTotals(runs: readonly JobRunView[]): RunTotals {
  const totals = { completed: 0, failed: 0, running: 0, retried: 0 };
  for (const run of runs) {
    totals[run.status] += 1;
    if (run.retries > 0) totals.retried += 1;
  }
  return totals;
}
