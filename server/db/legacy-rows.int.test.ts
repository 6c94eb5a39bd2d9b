import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readMigrations } from "../../scripts/migrate";
import type { MetricDefinition } from "../contract";
import { HOUR_MS } from "../core/periods";
import { createTestDatabase, type TestDatabase } from "../testing/harness";
import { createDbClients, type DbClients } from "./clients";
import { loadDefinitions } from "./metric-definitions";
import { hoursDueForReconciliation } from "./reconcile-runs";
import { reconcileHour } from "./reconcile-store";

// What the processor left behind before values were bounded: three api_request events of one
// minute, two of them 1.7e308 ms, whose sums overflowed to Infinity in the 1-minute rows.
const HOUR = Date.UTC(2026, 10, 28, 9);
const OTHER_HOUR = HOUR + HOUR_MS;
const MINUTE = HOUR + 5 * 60_000;
// An hour with one such value: its sum is finite, but merging two of them would overflow.
const HUGE_HOUR = HOUR + 2 * HOUR_MS;
let db: TestDatabase;
let clients: DbClients;
let definitions: MetricDefinition[];

const sql = (text: string, params: unknown[] = []) => clients.pool.query(text, params);

beforeAll(async () => {
  db = await createTestDatabase("nowcast_legacy");
  clients = createDbClients(db.url, { max: 2 });
  definitions = (await loadDefinitions(clients.pool)).definitions;
  const attrs = JSON.stringify({ route: "/r", method: "GET", status: 200 });
  for (const [id, ts, value] of [
    ["old-1", MINUTE, 10],
    ["old-2", MINUTE + 1, 1.7e308],
    ["old-3", MINUTE + 2, 1.7e308],
    ["other-1", OTHER_HOUR + 60_000, 5],
    ["huge-1", HUGE_HOUR, 1.7e308],
  ] as const)
    await sql(`INSERT INTO raw_events (id, type, ts, value, attrs) VALUES ($1, 'api_request', $2, $3, $4)`, [
      id,
      new Date(ts),
      value,
      attrs,
    ]);
  for (const [metric, group] of [
    ["api_latency", ""],
    ["api_latency", "/r"],
    ["events", "api_request"],
  ])
    await sql(
      `INSERT INTO metric_rollups (metric, resolution, bucket_start, group_key, count, sum, min, max)
       VALUES ($1, '1m', $2, $3, 3, 'Infinity', 10, 1.7e308)`,
      [metric, new Date(MINUTE), group],
    );
  await sql(
    `INSERT INTO metric_rollups (metric, resolution, bucket_start, group_key, count, sum, min, max)
     VALUES ('events', '1m', $1, 'api_request', 1, 1.7e308, 1.7e308, 1.7e308)`,
    [new Date(HUGE_HOUR)],
  );
  // Every hour was reconciled once already (the overflowed sums compared equal then).
  for (const hour of [HOUR, OTHER_HOUR, HUGE_HOUR])
    await sql(
      `INSERT INTO reconciled_hours (hour, reconciled_at, too_late_seen, run_id) VALUES ($1, $1, 0, 0)`,
      [new Date(hour)],
    );
});

afterAll(async () => {
  await clients?.close();
  await db?.drop();
});

describe("rows whose sums overflowed before the value bounds", () => {
  it("migration 20261202110000 makes their hour due again, and reconciliation repairs it to finite figures", async () => {
    const migration = (await readMigrations()).find((m) => m.name.startsWith("20261202110000"));
    expect(migration?.name).toBe("20261202110000_finite_states");
    await sql(migration?.sql ?? "");
    const left = await sql(`SELECT (extract(epoch FROM hour) * 1000)::float8 AS hour FROM reconciled_hours`);
    expect(left.rows.map((r) => r.hour)).toEqual([OTHER_HOUR]);
    expect(await hoursDueForReconciliation(clients.pool, HOUR, HUGE_HOUR, 10)).toEqual([HOUR, HUGE_HOUR]);

    const result = await reconcileHour(clients.pool, HOUR, definitions, { now: HOUR + 2 * 86_400_000 });
    expect(result.rowsDrifted).toBeGreaterThanOrEqual(3);
    const rows = await sql(
      `SELECT metric, group_key, count::int AS count, sum, min, max FROM metric_rollups
       WHERE resolution = '1m' AND bucket_start = $1 AND metric IN ('api_latency', 'events') ORDER BY 1, 2`,
      [new Date(MINUTE)],
    );
    // The out-of-bounds values still count as events; they feed no sum, min or max.
    expect(rows.rows).toEqual([
      { metric: "api_latency", group_key: "", count: 3, sum: 10, min: 10, max: 10 },
      { metric: "api_latency", group_key: "/r", count: 3, sum: 10, min: 10, max: 10 },
      { metric: "events", group_key: "api_request", count: 3, sum: 10, min: 10, max: 10 },
    ]);
    await reconcileHour(clients.pool, HUGE_HOUR, definitions, { now: HOUR + 2 * 86_400_000 });
    const huge = await sql(
      `SELECT count::int AS count, sum, min, max FROM metric_rollups WHERE bucket_start = $1 AND metric = 'events'`,
      [new Date(HUGE_HOUR)],
    );
    expect(huge.rows).toEqual([{ count: 1, sum: 0, min: null, max: null }]);
    const nonFinite = await sql(
      `SELECT count(*)::int AS n FROM metric_rollups WHERE NOT (sum > '-Infinity'::float8 AND sum < 'Infinity'::float8)`,
    );
    expect(nonFinite.rows[0]?.n).toBe(0);
  });
});
