import type pg from "pg";
import type { ValidEvent } from "../contract";
import { serializeState, type AggregateState } from "../core/aggregate-state";
import { DAY_MS, HOUR_MS, hoursOfDay } from "../core/periods";
import { bucketStart } from "../core/time";
import { compactPeriod } from "../db/compaction-store";
import { commitBatch } from "../db/event-store";
import { loadDefinitions } from "../db/metric-definitions";
import { stateColumns } from "../db/rollup-store";
import type { SeededRandom } from "./seeded-random";

/**
 * History test data: seeded api_request and page_view events committed through the real
 * processor commit (raw events + 1-minute rollups), then 1h/1d tiers compacted from them by
 * the production compactor; tests then mark the periods they need dirty or absent.
 */

export const FIXTURE_ROUTES = [
  "/api/orders",
  "/api/search",
  "/api/login",
  "/api/items/:id",
  "/api/cart",
  "/api/pay",
  "/api/admin",
];
/** Route weights: a long tail, so top-N leaves an "(other)" group. */
const ROUTE_WEIGHTS = [30, 22, 16, 12, 9, 7, 4];

function pickWeighted(random: SeededRandom): string {
  let roll = random.next() * 100;
  for (let i = 0; i < FIXTURE_ROUTES.length; i++) {
    roll -= ROUTE_WEIGHTS[i] ?? 0;
    if (roll < 0) return FIXTURE_ROUTES[i] ?? "";
  }
  return FIXTURE_ROUTES[0] ?? "";
}

/** `perHour` api requests (lognormal latency) and half as many page views per hour of [from, to). */
export function generateHistoryEvents(
  random: SeededRandom,
  from: number,
  to: number,
  perHour: number,
): ValidEvent[] {
  const events: ValidEvent[] = [];
  const span = to - from;
  const total = Math.round((span / HOUR_MS) * perHour);
  for (let i = 0; i < total; i++) {
    const ts = from + Math.floor(random.next() * span);
    const latency = Math.round(Math.exp(3 + random.next() * 2.5 + random.next()) * 100) / 100;
    events.push({
      id: `api-${from}-${i}`,
      type: "api_request",
      ts,
      v: 1,
      value: latency,
      attrs: {
        route: pickWeighted(random),
        method: "GET",
        status: random.chance(0.05) ? 503 : 200,
        region: "eu-west",
      },
    });
    if (i % 2 === 0) {
      events.push({
        id: `pv-${from}-${i}`,
        type: "page_view",
        ts: from + Math.floor(random.next() * span),
        v: 1,
        attrs: { path: "/", country: "DE", device: "desktop", user_id: `user-${random.int(1, 400)}` },
      });
    }
  }
  return events.sort((a, b) => a.ts - b.ts);
}

/** Commits events in batches through the processor's transaction (same engine code). */
export async function commitEvents(
  pool: pg.Pool,
  events: readonly ValidEvent[],
  consumer = "history_fixture",
) {
  const { definitions } = await loadDefinitions(pool);
  for (let i = 0; i < events.length; i += 1000) {
    const batch = events.slice(i, i + 1000);
    await commitBatch(pool, {
      consumer,
      streamSeq: i + batch.length,
      events: batch.map((event) => ({ event, lateness: "on_time" })),
      deadLetters: [],
      receivedAt: Date.now(),
      clock: { maxEventTime: batch[batch.length - 1]?.ts ?? null },
      definitions,
    });
  }
}

/**
 * Compacts every UTC hour and day that holds 1-minute rows with the production compactor
 * (server/db/compaction-store.ts over server/core/compaction.ts), as the scheduler's jobs
 * would: each day from its 24 hours, every period 'compacted'. Returns the hours and days
 * that hold data.
 */
export async function writeCoarseTiers(pool: pg.Pool): Promise<{ hours: number[]; days: number[] }> {
  // Bucket starts as epoch ms, floored here: the session's time zone must not pick the hours.
  const result = await pool.query<{ bucket: number }>(
    `SELECT DISTINCT (extract(epoch FROM bucket_start) * 1000)::float8 AS bucket
     FROM metric_rollups WHERE resolution = '1m'`,
  );
  const hours = [...new Set(result.rows.map((r) => bucketStart(r.bucket, HOUR_MS)))].sort((a, b) => a - b);
  const days = [...new Set(hours.map((h) => bucketStart(h, DAY_MS)))];
  for (const day of days) {
    for (const hour of hoursOfDay(day)) await compactPeriod(pool, "1h", hour);
    await compactPeriod(pool, "1d", day);
  }
  return { hours, days };
}

/** Writes coarse rows (tests also use it to plant wrong rows in periods that are not compacted). */
export async function upsertCoarseRows(
  pool: pg.Pool,
  metric: string,
  resolution: "1h" | "1d",
  periods: readonly { periodStart: number; groupKey: string; state: AggregateState }[],
): Promise<void> {
  const rows = periods.map((p) => serializeState(p.state));
  await pool.query(
    `INSERT INTO metric_rollups AS r (metric, resolution, bucket_start, group_key, count, sum, min, max, quantiles, distinct_sketch)
     SELECT $1, $2, b, g, c, s, mn, mx, q, d
     FROM unnest($3::timestamptz[], $4::text[], $5::bigint[], $6::float8[], $7::float8[], $8::float8[], $9::bytea[], $10::bytea[])
       AS u(b, g, c, s, mn, mx, q, d)
     ON CONFLICT (metric, resolution, bucket_start, group_key) DO UPDATE SET
       count = excluded.count, sum = excluded.sum, min = excluded.min, max = excluded.max,
       quantiles = excluded.quantiles, distinct_sketch = excluded.distinct_sketch`,
    [
      metric,
      resolution,
      periods.map((p) => new Date(p.periodStart)),
      periods.map((p) => p.groupKey),
      ...stateColumns(rows),
    ],
  );
}

/** Removes the status of 1h/1d periods: as if never compacted (their coarse rows are not read). */
export async function clearPeriodStatus(
  pool: pg.Pool,
  resolution: "1h" | "1d",
  starts: readonly number[],
): Promise<void> {
  await pool.query(
    `DELETE FROM rollup_periods WHERE resolution = $1 AND period_start = ANY($2::timestamptz[])`,
    [resolution, starts.map((s) => new Date(s))],
  );
}

/** Sets the status of 1h/1d periods ('compacted' or 'dirty'). */
export async function setPeriodStatus(
  pool: pg.Pool,
  resolution: "1h" | "1d",
  starts: readonly number[],
  status: "compacted" | "dirty",
): Promise<void> {
  await pool.query(
    `INSERT INTO rollup_periods (resolution, period_start, status, compacted_at)
     SELECT $1, s, $2, CASE WHEN $2 = 'compacted' THEN now() END FROM unnest($3::timestamptz[]) AS s
     ON CONFLICT (resolution, period_start) DO UPDATE SET status = excluded.status, updated_at = now()`,
    [resolution, status, starts.map((s) => new Date(s))],
  );
}
