import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MetricDefinition, type ValidEvent } from "../contract";
import { summarize } from "../core/aggregate-state";
import type { Lateness } from "../core/engine";
import { createTestDatabase, type TestDatabase } from "../testing/harness";
import { createDbClients, type DbClients } from "./clients";
import type { BatchCommit } from "../core/batch";
import { commitBatch, readClock } from "./event-store";
import { readRatesSnapshot } from "./live-queries";
import { loadDefinitions } from "./metric-definitions";
import { stateFromRow } from "./rollup-store";

const T0 = Date.UTC(2026, 10, 25, 12, 0, 0);
const ev = (id: string, ts: number, value?: number, route = "/a"): ValidEvent => ({
  id,
  type: "api_request",
  ts,
  v: 1,
  attrs: { route, method: "GET", status: 200 },
  ...(value === undefined ? {} : { value }),
});
const row = (event: ValidEvent, lateness: Lateness = "on_time") => ({ event, lateness });
const latency = MetricDefinition.parse({
  name: "latency",
  eventType: "api_request",
  aggregation: "p95",
  groupBy: "route",
});

let database: TestDatabase;
let db: DbClients;
/** The clients every role uses (sessions pinned to UTC). */
let pinned: DbClients;

beforeAll(async () => {
  database = await createTestDatabase();
  // Sessions in the test database's half-hour zone (no UTC pin): the SQL must not depend on it.
  db = createDbClients(database.url, { max: 4, sessionTimeZone: null });
  pinned = createDbClients(database.url, { max: 2 });
});
afterAll(async () => {
  await pinned?.close();
  await db?.close();
  await database?.drop();
});

const base: Omit<BatchCommit, "events" | "streamSeq"> = {
  consumer: "c1",
  receivedAt: T0,
  deadLetters: [],
  clock: { maxEventTime: T0 + 3000 },
  definitions: [latency],
};

async function latencyRow(group: string) {
  const result = await db.pool.query(
    `SELECT count, sum, min, max, quantiles, distinct_sketch, revisions FROM metric_rollups
     WHERE metric = 'latency' AND group_key = $1`,
    [group],
  );
  const r = result.rows[0];
  return {
    revisions: r.revisions as number,
    summary: summarize(stateFromRow(r)),
  };
}

describe("commitBatch against Postgres", () => {
  const batch: BatchCommit = {
    ...base,
    streamSeq: 3,
    events: [row(ev("a", T0 + 1000, 10)), row(ev("b", T0 + 2000, 30))],
    deadLetters: [
      {
        source: "nats",
        dedupKey: "S:2",
        subject: "x.events.y",
        reasons: [{ code: "invalid_json", message: "m", path: "" }],
        payload: new TextEncoder().encode("{"),
      },
    ],
  };

  it("stores each event once and counts only inserted rows, even when a batch is redelivered", async () => {
    const first = await commitBatch(db.pool, batch);
    expect(first).toMatchObject({ batchSeq: 1, total: 2, tooLateTotal: 0 });
    expect(first.inserted.map((r) => r.event.id)).toEqual(["a", "b"]);
    expect(first.buckets.map((b) => [b.groupKey, b.state.count])).toEqual([
      ["", 2],
      ["/a", 2],
    ]);

    const again = await commitBatch(db.pool, batch);
    expect(again).toMatchObject({ batchSeq: 2, total: 2, inserted: [], buckets: [] });

    const events = await db.pool.query(
      "SELECT group_key, count, sum, min, max FROM metric_rollups WHERE metric = 'events'",
    );
    expect(events.rows).toEqual([{ group_key: "api_request", count: 2, sum: 40, min: 10, max: 30 }]);
    expect((await latencyRow("/a")).summary).toMatchObject({
      count: 2,
      sum: 40,
      min: 10,
      max: 30,
      p50: expect.closeTo(10, 0),
      p99: expect.closeTo(10, 0),
    });
    const letters = await db.prisma.deadLetter.findMany();
    expect(letters).toHaveLength(1);
    expect(letters[0]?.reasons).toEqual([{ code: "invalid_json", message: "m", path: "" }]);
  });

  it("merges sketches across batches: percentiles of the union, within 1 %", async () => {
    const values = Array.from({ length: 200 }, (_, i) => i + 1);
    await commitBatch(db.pool, {
      ...base,
      streamSeq: 5,
      events: values.map((v) => row(ev(`v${v}`, T0 + 4000, v, "/b"))),
    });
    await commitBatch(db.pool, {
      ...base,
      streamSeq: 6,
      events: values.map((v) => row(ev(`w${v}`, T0 + 5000, v * 10, "/b"))),
    });
    const { summary } = await latencyRow("/b");
    // 400 values: 1..200 and 10..2000 step 10; the exact p95 (rank floor(0.95·399) = 379) is 1800.
    expect(summary.count).toBe(400);
    expect(Math.abs((summary.p95 ?? 0) - 1800) / 1800).toBeLessThanOrEqual(0.01);
    expect(summary.max).toBe(2000);
  });

  it("stores too-late events raw without counting them, and counts revisions", async () => {
    const result = await commitBatch(db.pool, {
      ...base,
      streamSeq: 7,
      clock: { maxEventTime: T0 + 30 * 60_000 },
      events: [row(ev("late", T0 + 100, 7), "late"), row(ev("too-late", T0 + 200, 9), "too_late")],
    });
    expect(result.tooLateTotal).toBe(1);
    const flags = await db.pool.query(
      "SELECT id, too_late FROM raw_events WHERE id IN ('late', 'too-late') ORDER BY id",
    );
    expect(flags.rows).toEqual([
      { id: "late", too_late: false },
      { id: "too-late", too_late: true },
    ]);
    expect(await latencyRow("/a")).toMatchObject({ revisions: 1, summary: { count: 3, min: 7 } });
    expect(await readClock(db.pool, "c1")).toEqual({ maxEventTime: T0 + 30 * 60_000 });
  });

  it("reads a snapshot consistent with the checkpoints", async () => {
    const snapshot = await readRatesSnapshot(db.pool, T0, T0 + 60_000);
    expect(snapshot.consumers).toEqual({ c1: { batchSeq: 5, total: 404 } });
    expect(snapshot.rates.find((r) => r.t === T0 + 4000)).toEqual({
      t: T0 + 4000,
      type: "api_request",
      count: 200,
    });
  });

  it("agrees with the Prisma models (migrations match the schema)", async () => {
    const { prisma } = pinned;
    const checkpoint = await prisma.consumerCheckpoint.findUniqueOrThrow({ where: { consumer: "c1" } });
    expect(checkpoint).toMatchObject({ eventsTotal: 404n, tooLateTotal: 1n });
    const rollup = await prisma.metricRollup.findFirstOrThrow({
      where: { metric: "latency", groupKey: "/b" },
    });
    expect(rollup).toMatchObject({ resolution: "1m", count: 400n, revisions: 0 });
    expect(rollup.quantiles?.byteLength).toBeGreaterThan(0);
    const event = await prisma.rawEvent.findUniqueOrThrow({ where: { id: "a" } });
    expect(event).toMatchObject({ type: "api_request", value: 10, version: 1, tooLate: false });
    // @prisma/adapter-pg drops the session's UTC offset from timestamptz text: only sessions
    // pinned to UTC read the right instant in a database whose timezone is +05:30.
    expect(event.ts.getTime()).toBe(T0 + 1000);
    await prisma.customer.create({ data: { id: "c9", segment: "vip", homeCountry: "DE" } });
    await prisma.merchant.create({ data: { id: "m9", category: "travel" } });
    expect(await prisma.metricDefinition.count()).toBeGreaterThanOrEqual(10);
  });

  it("pins every session of the role pools to UTC, whatever the database's timezone", async () => {
    const zone = async (pool: DbClients["pool"]) =>
      (await pool.query<{ tz: string }>("SELECT current_setting('TimeZone') AS tz")).rows[0]?.tz;
    expect(await zone(db.pool)).toBe("Asia/Kolkata");
    expect(await zone(pinned.pool)).toBe("UTC");
  });

  it("loads the seeded metric definitions, all valid", async () => {
    const loaded = await loadDefinitions(db.pool);
    expect(loaded.invalid).toEqual([]);
    expect(loaded.definitions.map((d) => d.name)).toContain("api_latency");
    expect(loaded.definitions.find((d) => d.name === "api_errors")?.filter).toEqual([
      { attr: "status", op: "gte", value: 500 },
    ]);
  });
});
