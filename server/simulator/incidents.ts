/**
 * The demo's scripted incidents, on a 6-minute cycle aligned to UTC: a latency spike from 1:00
 * to 2:30 (API latency × 6) and an error burst from 4:00 to 5:00 (15 % of API requests fail),
 * so the seeded alert rules go pending → firing → recovering → normal within minutes. Pure.
 */
export type Incident = "latency_spike" | "error_burst";

export const INCIDENT_CYCLE_MS = 6 * 60_000;
const SPIKE: readonly [number, number] = [60_000, 150_000];
const BURST: readonly [number, number] = [240_000, 300_000];

export function incidentAt(ts: number): Incident | null {
  const offset = ((ts % INCIDENT_CYCLE_MS) + INCIDENT_CYCLE_MS) % INCIDENT_CYCLE_MS;
  if (offset >= SPIKE[0] && offset < SPIKE[1]) return "latency_spike";
  if (offset >= BURST[0] && offset < BURST[1]) return "error_burst";
  return null;
}

export const LATENCY_SPIKE_FACTOR = 6;
export const ERROR_BURST_RATE = 0.15;
