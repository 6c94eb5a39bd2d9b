import { jetstream } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDbClients, type DbClients } from "../db/clients";
import { insertDeadLetters } from "../db/event-store";
import { createLogger } from "../log";
import { connectNats, eventSubject } from "../nats/streams";
import { startProcessor, type Processor } from "../processor/processor";
import {
  createTestDatabase,
  deleteNamespace,
  eventually,
  NATS_URL,
  testProcessorOptions,
  uniqueName,
  type TestDatabase,
} from "../testing/harness";
import { markRedriven, redrive, selectDeadLetters, type RedrivePorts } from "./redrive";

const namespace = uniqueName("tredrive");
let database: TestDatabase;
let db: DbClients;
let nc: NatsConnection;
let processor: Processor;
let ports: RedrivePorts;

beforeAll(async () => {
  database = await createTestDatabase();
  db = createDbClients(database.url, { max: 2 });
  nc = await connectNats(NATS_URL, "redrive-test");
  processor = await startProcessor(
    { nc, pool: db.pool, log: createLogger("processor", "error") },
    testProcessorOptions(namespace),
  );
  const js = jetstream(nc);
  ports = {
    publish: async (type, id, payload) => ({
      duplicate: (await js.publish(eventSubject(namespace, type), payload, { msgID: id })).duplicate,
    }),
    markRedriven: (id) => markRedriven(db.pool, id),
    now: Date.now,
  };
});

afterAll(async () => {
  await processor?.stop();
  await nc?.close();
  await deleteNamespace(namespace);
  await db?.close();
  await database?.drop();
});

describe("re-driving dead letters", () => {
  it("publishes letters that pass today's contract, once, and reports the rest", async () => {
    const nowValid = JSON.stringify({
      id: "early-1",
      type: "signup",
      ts: Date.now() - 1000,
      attrs: { user_id: "u1" },
    });
    await insertDeadLetters(db.pool, [
      {
        source: "http",
        eventId: "early-1",
        reasons: [{ code: "ts_in_future", message: "was ahead", path: "ts" }],
        payload: nowValid,
      },
      {
        source: "nats",
        dedupKey: "S:9",
        eventId: "odd",
        reasons: [{ code: "unknown_type", message: "x", path: "type" }],
        payload: '{"id":"odd","type":"telemetry","ts":1}',
      },
      {
        source: "http",
        eventId: "other",
        reasons: [{ code: "invalid_ts", message: "x", path: "ts" }],
        payload: "{}",
      },
    ]);

    const selected = await selectDeadLetters(db.pool, { reason: "ts_in_future", limit: 10 });
    expect(selected.map((l) => l.eventId)).toEqual(["early-1"]);
    const all = await selectDeadLetters(db.pool, { limit: 10 });
    const outcome = await redrive(ports, all);
    expect(outcome.redriven.map((r) => r.eventId)).toEqual(["early-1"]);
    expect(outcome.stillInvalid.map((r) => r.reasons[0]?.code)).toEqual(["unknown_type", "missing_field"]);

    await eventually(async () => {
      const stored = await db.pool.query("SELECT id FROM raw_events WHERE id = 'early-1'");
      return stored.rowCount === 1 ? true : undefined;
    });
    // Done letters are not selected again unless asked; re-driving twice stores nothing twice.
    expect(await selectDeadLetters(db.pool, { reason: "ts_in_future", limit: 10 })).toEqual([]);
    const again = await redrive(
      ports,
      await selectDeadLetters(db.pool, { reason: "ts_in_future", limit: 10, includeRedriven: true }),
    );
    expect(again.redriven).toEqual([expect.objectContaining({ eventId: "early-1", duplicate: true })]);
    const count = await db.pool.query("SELECT count(*)::int AS n FROM raw_events");
    expect(count.rows[0].n).toBe(1);
  });
});
