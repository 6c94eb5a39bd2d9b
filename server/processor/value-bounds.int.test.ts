import { jetstream, jetstreamManager, type JetStreamClient } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LiveBatch } from "../contract";
import { natsNames } from "../config";
import { summarize } from "../core/aggregate-state";
import { createDbClients, type DbClients } from "../db/clients";
import { stateFromRow, type StoredStateColumns } from "../db/rollup-store";
import { createLogger } from "../log";
import { connectNats, eventSubject, setupEventStream } from "../nats/streams";
import {
  createTestDatabase,
  deleteNamespace,
  eventually,
  NATS_URL,
  testProcessorOptions,
  uniqueName,
  type TestDatabase,
} from "../testing/harness";
import { startProcessor, type Processor } from "./processor";

// Issue 10, item 4: three api_request values of 1.7e308 in one minute overflowed the sums.
const namespace = uniqueName("tbound");
const names = natsNames(namespace);
let database: TestDatabase;
let db: DbClients;
let nc: NatsConnection;
let js: JetStreamClient;
let processor: Processor | undefined;
const liveBatches: LiveBatch[] = [];
// One instant for every event: all land in the same minute.
const TS = Date.now() - 1_000;
const MINUTE = Math.floor(TS / 60_000) * 60_000;

const request = (id: string, value: number) =>
  JSON.stringify({
    id,
    type: "api_request",
    ts: TS,
    value,
    attrs: { route: "/r", method: "GET", status: 200 },
  });

/** Publishes, then waits until the processor has acked everything: one batch per call. */
async function publishAndDrain(...events: [string, number][]) {
  for (const [id, value] of events)
    await js.publish(eventSubject(namespace, "api_request"), request(id, value), { msgID: id });
  const jsm = await jetstreamManager(nc);
  const last = (await jsm.streams.info(names.stream)).state.last_seq;
  await eventually(
    async () => {
      const info = await jsm.consumers.info(names.stream, names.durable);
      return info.ack_floor.stream_seq >= last && info.num_ack_pending === 0 ? true : undefined;
    },
    20_000,
    `consumer to ack up to ${last}`,
  );
}

async function minuteRow(metric: string, group: string) {
  const result = await db.pool.query<StoredStateColumns>(
    `SELECT count, sum, min, max, quantiles, distinct_sketch FROM metric_rollups
     WHERE metric = $1 AND resolution = '1m' AND bucket_start = $2 AND group_key = $3`,
    [metric, new Date(MINUTE), group],
  );
  const row = result.rows[0];
  return row ? summarize(stateFromRow(row)) : undefined;
}

beforeAll(async () => {
  database = await createTestDatabase();
  db = createDbClients(database.url, { max: 4 });
  nc = await connectNats(NATS_URL, "value-bounds-test");
  await setupEventStream(nc, { namespace, dedupWindowSeconds: 60 });
  js = jetstream(nc);
  nc.subscribe(`${names.liveSubjectPrefix}.events`, {
    callback: (_e, m) => void liveBatches.push(LiveBatch.parse(m.json())),
  });
  processor = await startProcessor(
    { nc, pool: db.pool, log: createLogger("processor", "error"), databaseUrl: database.url },
    testProcessorOptions(namespace),
  );
});

afterAll(async () => {
  await processor?.stop();
  await nc?.close();
  await deleteNamespace(namespace);
  await db?.close();
  await database?.drop();
});

describe("values beyond the contract's bounds, through the real processor", () => {
  it("dead-letters 1.7e308 with a reason, keeps the minute's figures right and keeps committing", async () => {
    // Separate batches: the second overflow used to fail every commit in Postgres (float8 sum).
    await publishAndDrain(["ok-1", 10], ["huge-1", 1.7e308]);
    await publishAndDrain(["ok-2", 20], ["huge-2", 1.7e308]);
    await publishAndDrain(["huge-3", 1.7e308], ["ok-3", 30]);

    const letters = await db.pool.query<{ event_id: string; code: string; path: string; message: string }>(
      `SELECT event_id, reasons->0->>'code' AS code, reasons->0->>'path' AS path, reasons->0->>'message' AS message
       FROM dead_letters ORDER BY event_id`,
    );
    expect(letters.rows).toEqual(
      ["huge-1", "huge-2", "huge-3"].map((id) => ({
        event_id: id,
        code: "invalid_value",
        path: "value",
        message: expect.stringContaining("≤ 9007199254740991"),
      })),
    );
    const stored = await db.pool.query<{ id: string }>("SELECT id FROM raw_events ORDER BY id");
    expect(stored.rows.map((r) => r.id)).toEqual(["ok-1", "ok-2", "ok-3"]);

    // The rest of the minute, recomputed by hand: 10, 20, 30 ms.
    expect(await minuteRow("api_latency", "")).toMatchObject({
      count: 3,
      sum: 60,
      avg: 20,
      min: 10,
      max: 30,
    });
    const latency = await minuteRow("api_latency", "/r");
    expect(Math.abs((latency?.p50 ?? NaN) - 20)).toBeLessThanOrEqual(0.2);
    expect(await minuteRow("events", "api_request")).toMatchObject({ count: 3, sum: 60, min: 10, max: 30 });
    expect(await minuteRow("api_requests", "")).toMatchObject({ count: 3 });

    // What /live receives: finite figures for the minute.
    const pushed = liveBatches
      .flatMap((b) => b.buckets)
      .filter((b) => b.metric === "api_latency" && b.resolution === "1m" && b.groupKey === "")
      .at(-1);
    expect(pushed?.summary).toMatchObject({ count: 3, sum: 60, avg: 20 });

    // And the stream keeps moving.
    await publishAndDrain(["ok-4", 40]);
    expect(await minuteRow("api_latency", "")).toMatchObject({ count: 4, sum: 100 });
  });
});
