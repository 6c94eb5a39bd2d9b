import { jetstream, jetstreamManager, type JetStreamClient } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LiveBatch } from "../contract";
import { natsNames } from "../config";
import { createDbClients, type DbClients } from "../db/clients";
import { createLogger } from "../log";
import { connectNats, eventSubject, setupEventStream } from "../nats/streams";
import { waitUntilDrained } from "../testing/drain";
import {
  createTestDatabase,
  deleteNamespace,
  NATS_URL,
  testProcessorOptions,
  uniqueName,
  type TestDatabase,
} from "../testing/harness";
import { startProcessor, type Processor } from "./processor";

/**
 * Issue 10, item 2: a message Postgres refuses for its content used to fail every commit of
 * its batch for ever. Here the real processor, Postgres and JetStream: the poison message is
 * dead-lettered with the database's error and terminated, every other one is stored and
 * counted exactly once, and later batches commit.
 */
const namespace = uniqueName("tpoison");
const names = natsNames(namespace);
let database: TestDatabase;
let db: DbClients;
let nc: NatsConnection;
let js: JetStreamClient;
let processor: Processor | undefined;
const liveBatches: LiveBatch[] = [];
/** The processor's processing clock, standing still: event times are placed relative to it. */
const NOW = Math.floor(Date.now() / 1_000) * 1_000;

const view = (id: string, path = "/p", ts = NOW - 5_000) =>
  JSON.stringify({ id, type: "page_view", ts, attrs: { path } });
const publish = (body: string, msgID: string) =>
  js.publish(eventSubject(namespace, "page_view"), body, { msgID });
const scalar = async (sql: string, params: unknown[] = []) =>
  (await db.pool.query<{ n: number }>(sql, params)).rows[0]?.n ?? 0;

async function drained() {
  const info = await waitUntilDrained(await jetstreamManager(nc), namespace, 30_000);
  expect(info.num_pending).toBe(0);
  expect(info.num_ack_pending).toBe(0);
}

beforeAll(async () => {
  database = await createTestDatabase("nowcast_poison");
  db = createDbClients(database.url, { max: 4 });
  // A rule of this test's own database that the contract knows nothing about: Postgres alone
  // refuses such rows (SQLSTATE 23514), whatever the contract accepts.
  await db.pool.query(
    `ALTER TABLE raw_events ADD CONSTRAINT test_no_poison CHECK (attrs->>'path' IS DISTINCT FROM '/poison')`,
  );
  nc = await connectNats(NATS_URL, "poison-test");
  await setupEventStream(nc, { namespace, dedupWindowSeconds: 60 });
  js = jetstream(nc);
  nc.subscribe(`${names.liveSubjectPrefix}.events`, {
    callback: (_e, m) => void liveBatches.push(LiveBatch.parse(m.json())),
  });
  // Everything published before the processor starts arrives in one batch.
  for (let i = 0; i < 20; i++) {
    if (i === 10) await publish(view("poison-1", "/poison", NOW + 60_000), "poison-1");
    await publish(view(`ok-${i}`, "/p", NOW - 5_000 + i), `ok-${i}`);
  }
  processor = await startProcessor(
    { nc, pool: db.pool, log: createLogger("processor", "error"), now: () => NOW },
    testProcessorOptions(namespace, { batchSize: 100, batchWaitMs: 200 }),
  );
});

afterAll(async () => {
  await processor?.stop();
  await nc?.close();
  await deleteNamespace(namespace);
  await db?.close();
  await database?.drop();
});

describe("a poison message in the middle of a batch", () => {
  it("stores and counts every valid event of the batch exactly once", async () => {
    await drained();
    expect(await scalar(`SELECT count(*)::int AS n FROM raw_events WHERE id LIKE 'ok-%'`)).toBe(20);
    expect(await scalar(`SELECT count(*)::int AS n FROM raw_events WHERE id = 'poison-1'`)).toBe(0);
    expect(await scalar(`SELECT sum(count)::int AS n FROM metric_rollups WHERE metric = 'events'`)).toBe(20);
    expect(await scalar(`SELECT sum(events_total)::int AS n FROM consumer_checkpoints`)).toBe(20);
    expect(liveBatches.at(-1)?.total).toBe(20);
  });

  it("dead-letters it with the database's error and terminates it in JetStream", async () => {
    const letters = await db.pool.query<{
      event_id: string;
      reasons: { code: string; message: string }[];
      payload: string;
    }>(`SELECT event_id, reasons, payload FROM dead_letters`);
    expect(letters.rows).toHaveLength(1);
    const [letter] = letters.rows;
    expect(letter?.event_id).toBe("poison-1");
    expect(letter?.reasons.map((r) => r.code)).toEqual(["storage_rejected"]);
    expect(letter?.reasons[0]?.message).toMatch(/SQLSTATE 23514.*test_no_poison/);
    expect(JSON.parse(letter?.payload ?? "{}")).toMatchObject({ id: "poison-1", attrs: { path: "/poison" } });
    // The poison event was a minute ahead: had its time counted, the clock would be at the
    // processing time (NOW); it is at the latest stored event's.
    const clock = await scalar(
      `SELECT (extract(epoch FROM max_event_time) * 1000)::float8 AS n FROM consumer_checkpoints`,
    );
    expect(clock).toBe(NOW - 5_000 + 19);
  });

  it("keeps committing later batches", async () => {
    for (let i = 0; i < 5; i++) await publish(view(`later-${i}`), `later-${i}`);
    await drained();
    expect(await scalar(`SELECT count(*)::int AS n FROM raw_events WHERE id LIKE 'later-%'`)).toBe(5);
  });

  it("does the same for a NUL character in an attr value published straight to NATS", async () => {
    await publish(view("nul-before"), "nul-before");
    await publish(view("nul-1", "/a\u0000b"), "nul-1");
    await publish(view("nul-after"), "nul-after");
    await drained();
    expect(
      await scalar(`SELECT count(*)::int AS n FROM raw_events WHERE id IN ('nul-before', 'nul-after')`),
    ).toBe(2);
    const codes = await db.pool.query<{ code: string }>(
      `SELECT reasons->0->>'code' AS code FROM dead_letters WHERE event_id = 'nul-1'`,
    );
    // The contract may reject it first (invalid_attrs); either way it is a dead letter, not a wedge.
    expect(codes.rows.map((r) => r.code)).toEqual([
      expect.stringMatching(/^(storage_rejected|invalid_attrs)$/),
    ]);
  });
});
