import { jetstream, jetstreamManager } from "@nats-io/jetstream";
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
import { natsNames } from "../config";
import { letterBytes, markRedriven, redrive, selectDeadLetters, type RedrivePorts } from "./redrive";

const namespace = uniqueName("tredrive");
const bytes = (text: string) => new TextEncoder().encode(text);
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
        payload: bytes(nowValid),
      },
      {
        source: "nats",
        dedupKey: "S:9",
        eventId: "odd",
        reasons: [{ code: "unknown_type", message: "x", path: "type" }],
        payload: bytes(`{"id":"odd","type":"telemetry","ts":${Date.now()}}`),
      },
      {
        source: "http",
        eventId: "other",
        reasons: [{ code: "invalid_ts", message: "x", path: "ts" }],
        payload: bytes("{}"),
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

  it("keeps the exact bytes (NUL, bytes that are not UTF-8) and re-publishes exactly them", async () => {
    await db.pool.query("DELETE FROM dead_letters");
    // Formatting, an escaped and a literal non-ASCII character: a re-serialisation would change them.
    const exact = bytes(
      `{ "id" : "exact-1",\n  "type":"signup", "ts": ${Date.now() - 2000}, "attrs": {"user_id":"\\u00fc-ü"} }`,
    );
    const binary = new Uint8Array([...bytes('{"id":"bin-1","x":"'), 0x00, 0xff, 0xfe, ...bytes('"}')]);
    await insertDeadLetters(db.pool, [
      {
        source: "http",
        eventId: "exact-1",
        reasons: [{ code: "ts_in_future", message: "x", path: "ts" }],
        payload: exact,
      },
      {
        source: "nats",
        dedupKey: "S:10",
        reasons: [{ code: "invalid_encoding", message: "x", path: "" }],
        payload: binary,
      },
    ]);
    const stored = await selectDeadLetters(db.pool, { limit: 10 });
    expect(
      stored.map((l) => Buffer.from(letterBytes(l)).equals(Buffer.from(l === stored[0] ? exact : binary))),
    ).toEqual([true, true]);
    expect(stored[1]).toMatchObject({
      payloadSize: binary.byteLength,
      payload: '{"id":"bin-1","x":"\\u0000\ufffd\ufffd"}',
    });

    const outcome = await redrive(ports, stored);
    expect(outcome.redriven.map((r) => r.eventId)).toEqual(["exact-1"]);
    expect(outcome.stillInvalid).toEqual([
      { id: stored[1]?.id, reasons: [expect.objectContaining({ code: "invalid_encoding" })] },
    ]);
    const jsm = await jetstreamManager(nc);
    const message = await jsm.streams.getMessage(natsNames(namespace).stream, {
      last_by_subj: eventSubject(namespace, "signup"),
    });
    expect(Buffer.from(message?.data ?? []).equals(Buffer.from(exact))).toBe(true);
    await eventually(async () => {
      const row = await db.pool.query("SELECT attrs->>'user_id' AS u FROM raw_events WHERE id = 'exact-1'");
      return row.rows[0]?.u === "ü-ü" ? true : undefined;
    });
  });

  it("still re-drives letters stored before the bytes were kept (text payload only)", async () => {
    const text = JSON.stringify({
      id: "legacy-1",
      type: "signup",
      ts: Date.now() - 3000,
      attrs: { user_id: "u" },
    });
    await db.pool.query(
      `INSERT INTO dead_letters (source, reasons, payload) VALUES ('http', '[{"code":"ts_in_future","message":"x","path":"ts"}]', $1)`,
      [text],
    );
    const [legacy] = await selectDeadLetters(db.pool, { reason: "ts_in_future", limit: 10 });
    expect(legacy).toMatchObject({ eventId: null, payloadBytes: null, payloadSize: null });
    expect((await redrive(ports, legacy ? [legacy] : [])).redriven.map((r) => r.eventId)).toEqual([
      "legacy-1",
    ]);
  });
});
