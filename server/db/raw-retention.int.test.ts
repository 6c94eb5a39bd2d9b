import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultRetention } from "../config";
import type { MetricDefinition, ValidEvent } from "../contract";
import { DAY_MS } from "../core/periods";
import { retentionCutoffs } from "../core/retention";
import { createTestDatabase, type TestDatabase } from "../testing/harness";
import { createDbClients, type DbClients } from "./clients";
import { commitBatch } from "./event-store";
import { loadDefinitions } from "./metric-definitions";
import { retireRawEvents } from "./raw-retention";
import { applyRetention } from "./retention-store";

/**
 * DESIGN.md: a duplicate id never counts twice, at any distance in time. Retention deletes raw
 * events after RETENTION_RAW_DAYS; a re-sent old id must still be a duplicate afterwards.
 */
const DAY = Date.UTC(2026, 9, 1);
const NOW = DAY + 40 * DAY_MS;
const POLICY = defaultRetention();
let database: TestDatabase;
let db: DbClients;
let definitions: MetricDefinition[];
let streamSeq = 0;

const view = (id: string, ts = DAY + 60_000): ValidEvent => ({
  id,
  type: "page_view",
  ts,
  v: 1,
  attrs: { path: "/r" },
});
const commit = (events: ValidEvent[]) =>
  commitBatch(db.pool, {
    consumer: "c",
    streamSeq: (streamSeq += events.length),
    events: events.map((event) => ({ event, lateness: "on_time" })),
    deadLetters: [],
    receivedAt: NOW,
    clock: { maxEventTime: NOW },
    definitions,
  });
const count = async (sql: string) => (await db.pool.query<{ n: number }>(sql)).rows[0]?.n ?? 0;
const counted = () =>
  count(
    `SELECT coalesce(sum(count), 0)::int AS n FROM metric_rollups WHERE metric = 'events' AND resolution = '1m'`,
  );

beforeAll(async () => {
  database = await createTestDatabase("nowcast_retire");
  db = createDbClients(database.url, { max: 4, sessionTimeZone: null });
  definitions = (await loadDefinitions(db.pool)).definitions;
  await commit(["old-1", "old-2", "old-3"].map((id) => view(id)));
});

afterAll(async () => {
  await db?.close();
  await database?.drop();
});

describe("exactly-once after retention deleted the raw events", () => {
  it("retires the ids of the raw events it deletes", async () => {
    const result = await applyRetention(db.pool, retentionCutoffs(NOW, POLICY));
    expect(result).toMatchObject({ rawEvents: 3, retiredIds: 3, rawDeferred: false });
    expect(await count(`SELECT count(*)::int AS n FROM raw_events`)).toBe(0);
    expect(await count(`SELECT count(*)::int AS n FROM retired_event_ids`)).toBe(3);
  });

  it("treats a re-sent old id as a duplicate: stored and counted once", async () => {
    const before = await counted();
    const again = await commit([view("old-2"), view("new-1", NOW - 60_000)]);
    expect(again.inserted.map((row) => row.event.id)).toEqual(["new-1"]);
    expect(await counted()).toBe(before + 1);
    expect(again.total).toBe(4);
  });

  it("does not delete before the transactions open at the retirement have ended", async () => {
    await commit([view("old-4")]);
    const writer = await db.pool.connect();
    try {
      // Open before the retirement, like a raw insert whose snapshot predates it.
      await writer.query("BEGIN");
      await writer.query("SELECT 1");
      const cutoff = new Date(DAY + DAY_MS);
      const deferred = await retireRawEvents(db.pool, cutoff, 10_000, 300);
      expect(deferred).toEqual({ deleted: 0, retired: 1, deferred: true });
      expect(await count(`SELECT count(*)::int AS n FROM raw_events WHERE id = 'old-4'`)).toBe(1);
      await writer.query("COMMIT");
      expect(await retireRawEvents(db.pool, cutoff)).toEqual({ deleted: 1, retired: 0, deferred: false });
    } finally {
      writer.release();
    }
  });
});
