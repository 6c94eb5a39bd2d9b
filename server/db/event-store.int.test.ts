import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ValidEvent } from "../contract";
import { createTestDatabase, type TestDatabase } from "../testing/harness";
import { createDbClients, type DbClients } from "./clients";
import { commitBatch, type BatchCommit } from "./event-store";
import { readRatesSnapshot } from "./live-queries";

const T0 = Date.UTC(2026, 10, 25, 12, 0, 0);
const ev = (id: string, type: string, ts: number, value?: number): ValidEvent => ({
  id,
  type,
  ts,
  v: 1,
  attrs: { k: "v" },
  ...(value === undefined ? {} : { value }),
});

let database: TestDatabase;
let db: DbClients;

beforeAll(async () => {
  database = await createTestDatabase();
  db = createDbClients(database.url, { max: 4 });
});
afterAll(async () => {
  await db?.close();
  await database?.drop();
});

describe("commitBatch against Postgres", () => {
  const batch: BatchCommit = {
    consumer: "c1",
    streamSeq: 3,
    receivedAt: T0,
    events: [
      ev("a", "api_request", T0 + 1000, 10),
      ev("b", "api_request", T0 + 2000, 30),
      ev("a", "api_request", T0, 99),
    ],
    deadLetters: [
      {
        source: "nats",
        dedupKey: "S:2",
        subject: "x.events.y",
        reasons: [{ code: "invalid_json", message: "m", path: "" }],
        payload: "{",
      },
    ],
  };

  it("stores each event once and counts only inserted rows, even when a batch is redelivered", async () => {
    const first = await commitBatch(db.pool, batch);
    expect(first).toMatchObject({ batchSeq: 1, total: 2 });
    expect(first.inserted.map((e) => e.id)).toEqual(["a", "b"]);

    const again = await commitBatch(db.pool, batch);
    expect(again).toMatchObject({ batchSeq: 2, total: 2, inserted: [] });

    const rollups = await db.pool.query("SELECT group_key, count, sum, min, max FROM metric_rollups");
    expect(rollups.rows).toEqual([{ group_key: "api_request", count: 2, sum: 40, min: 10, max: 30 }]);
    const raw = await db.pool.query("SELECT count(*)::int AS n FROM raw_events");
    expect(raw.rows[0].n).toBe(2);
    const letters = await db.prisma.deadLetter.findMany();
    expect(letters).toHaveLength(1);
    expect(letters[0]?.reasons).toEqual([{ code: "invalid_json", message: "m", path: "" }]);
  });

  it("merges min and max across batches", async () => {
    await commitBatch(db.pool, {
      ...batch,
      streamSeq: 5,
      events: [ev("c", "api_request", T0 + 3000, 2)],
      deadLetters: [],
    });
    const rollups = await db.pool.query("SELECT count, sum, min, max FROM metric_rollups");
    expect(rollups.rows).toEqual([{ count: 3, sum: 42, min: 2, max: 30 }]);
  });

  it("reads a snapshot consistent with the checkpoints", async () => {
    const snapshot = await readRatesSnapshot(db.pool, T0, T0 + 60_000);
    expect(snapshot.consumers).toEqual({ c1: { batchSeq: 3, total: 3 } });
    expect(snapshot.rates).toEqual([
      { t: T0 + 1000, type: "api_request", count: 1 },
      { t: T0 + 2000, type: "api_request", count: 1 },
      { t: T0 + 3000, type: "api_request", count: 1 },
    ]);
  });

  it("agrees with the Prisma models (migration matches schema)", async () => {
    const checkpoint = await db.prisma.consumerCheckpoint.findUniqueOrThrow({ where: { consumer: "c1" } });
    expect(checkpoint.eventsTotal).toBe(3n);
    const rollup = await db.prisma.metricRollup.findFirstOrThrow();
    expect(rollup).toMatchObject({ metric: "events", resolution: "1m", groupKey: "api_request", count: 3n });
    const event = await db.prisma.rawEvent.findUniqueOrThrow({ where: { id: "a" } });
    expect(event).toMatchObject({ type: "api_request", value: 10, version: 1, attrs: { k: "v" } });
    expect(event.ts.getTime()).toBe(T0 + 1000);
  });
});
