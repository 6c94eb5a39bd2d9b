import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate } from "../../scripts/migrate";
import { DAY_MS, HOUR_MS } from "../core/periods";
import { createTestDatabase, type TestDatabase } from "../testing/harness";
import { nowcastTypes } from "./int8";

/**
 * The repair in migration 20261202120000: rows that earlier code wrote off the UTC grid (in a
 * database whose timezone is +05:30) are removed, the aligned periods they overlapped turn
 * dirty (recompacted from the 1m truth), and a clock that an event from the future pushed
 * past the wall clock is brought back. Planted with plain SQL on the schema before it.
 */
const REPAIR = "20261202120000";
const D = Date.UTC(2026, 10, 20);
const H = D + 9 * HOUR_MS;
const HALF = 30 * 60_000;
let database: TestDatabase;
let pool: pg.Pool;

const iso = (t: number) => new Date(t).toISOString();
const status = async (resolution: string, start: number) =>
  (
    await pool.query<{ status: string }>(
      `SELECT status FROM rollup_periods WHERE resolution = $1 AND period_start = $2`,
      [resolution, new Date(start)],
    )
  ).rows[0]?.status ?? null;

async function plant(resolution: "1h" | "1d", start: number, count: number): Promise<void> {
  await pool.query(
    `INSERT INTO metric_rollups (metric, resolution, bucket_start, group_key, count) VALUES ('events', $1, $2, 'api_request', $3)`,
    [resolution, new Date(start), count],
  );
  await pool.query(
    `INSERT INTO rollup_periods (resolution, period_start, status) VALUES ($1, $2, 'compacted')`,
    [resolution, new Date(start)],
  );
}

beforeAll(async () => {
  database = await createTestDatabase("nowcast_repair", { migrateBefore: REPAIR });
  pool = new pg.Pool({ connectionString: database.url, types: nowcastTypes, max: 1 });
  for (const hour of [H - HOUR_MS, H, H + HOUR_MS, H + 5 * HOUR_MS]) await plant("1h", hour, 10);
  for (const day of [D, D + DAY_MS, D + 3 * DAY_MS]) await plant("1d", day, 240);
  // What a session in Asia/Kolkata made of them: an hour at :30, a day at 18:30 UTC, and a
  // reconciled hour at :30 (its repair touched the minutes of H and H + 1).
  await plant("1h", H - HALF, 10);
  await plant("1d", D + 18 * HOUR_MS + HALF, 240);
  await pool.query(
    `INSERT INTO reconciled_hours (hour, reconciled_at, too_late_seen, run_id) VALUES ($1, now(), 1, 1)`,
    [new Date(H + HALF)],
  );
  // Too-late events stored before too_late_hours existed; H + 5 h was reconciled with one of them.
  await pool.query(
    `INSERT INTO raw_events (id, type, ts, too_late) VALUES ('l1', 'signup', $1, true), ('l2', 'signup', $2, true),
       ('l3', 'signup', $3, true), ('on-time', 'signup', $3, false)`,
    [
      new Date(H + 5 * HOUR_MS + 60_000),
      new Date(H + 5 * HOUR_MS + 120_000),
      new Date(H + 6 * HOUR_MS + 60_000),
    ],
  );
  await pool.query(
    `INSERT INTO reconciled_hours (hour, reconciled_at, too_late_seen, run_id) VALUES ($1, now(), 1, 2)`,
    [new Date(H + 5 * HOUR_MS)],
  );
  await pool.query(
    `INSERT INTO consumer_checkpoints (consumer, max_event_time) VALUES ('ahead', now() + interval '4 minutes'), ('behind', $1)`,
    [new Date(D)],
  );
  await migrate(database.url, () => undefined);
}, 60_000);

afterAll(async () => {
  await pool?.end();
  await database?.drop();
});

describe("migration 20261202120000 repairs what a non-UTC session wrote", () => {
  it("removes coarse rows, periods and reconciled hours that are off the UTC grid", async () => {
    const rows = await pool.query<{ resolution: string; t: Date }>(
      `SELECT resolution, bucket_start AS t FROM metric_rollups ORDER BY 1, 2`,
    );
    expect(rows.rows.map((r) => `${r.resolution} ${r.t.toISOString()}`)).toEqual([
      ...[D, D + DAY_MS, D + 3 * DAY_MS].map((t) => `1d ${iso(t)}`),
      ...[H - HOUR_MS, H, H + HOUR_MS, H + 5 * HOUR_MS].map((t) => `1h ${iso(t)}`),
    ]);
    const periods = await pool.query(
      `SELECT 1 FROM rollup_periods WHERE period_start <> date_trunc('hour', period_start, 'UTC')`,
    );
    expect(periods.rowCount).toBe(0);
    const hours = await pool.query<{ hour: Date }>(`SELECT hour FROM reconciled_hours`);
    expect(hours.rows.map((r) => r.hour.getTime())).toEqual([H + 5 * HOUR_MS]);
  });

  it("fills too_late_hours from the stored too-late events and what reconciliation folded in", async () => {
    const rows = await pool.query<{ hour: Date; stored: number; folded: number }>(
      `SELECT hour, stored, folded FROM too_late_hours ORDER BY hour`,
    );
    expect(rows.rows.map((r) => [r.hour.getTime(), r.stored, r.folded])).toEqual([
      [H + 5 * HOUR_MS, 2, 1],
      [H + 6 * HOUR_MS, 1, 0],
    ]);
  });

  it("marks the aligned hours and days they overlapped dirty, and leaves the others compacted", async () => {
    expect(
      await Promise.all([H - HOUR_MS, H, H + HOUR_MS, H + 5 * HOUR_MS].map((h) => status("1h", h))),
    ).toEqual(["dirty", "dirty", "dirty", "compacted"]);
    expect(await Promise.all([D, D + DAY_MS, D + 3 * DAY_MS].map((d) => status("1d", d)))).toEqual([
      "dirty",
      "dirty",
      "compacted",
    ]);
  });

  it("brings a clock that ran ahead of the wall clock back to it, and leaves others alone", async () => {
    const clocks = await pool.query<{ consumer: string; ahead: boolean; t: Date }>(
      `SELECT consumer, max_event_time > now() AS ahead, max_event_time AS t FROM consumer_checkpoints ORDER BY 1`,
    );
    expect(clocks.rows.map((r) => [r.consumer, r.ahead])).toEqual([
      ["ahead", false],
      ["behind", false],
    ]);
    expect(clocks.rows[1]?.t.getTime()).toBe(D);
  });
});
