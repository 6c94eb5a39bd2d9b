import { jetstream, jetstreamManager, type JetStreamClient } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { natsNames } from "../config";
import { createDbClients, type DbClients } from "../db/clients";
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

// Producers that publish straight to NATS: what used to be stored as altered text, or wedged a
// batch for ever (NUL, lone surrogates), is now a dead letter with the message's exact bytes.
const namespace = uniqueName("tbadin");
const names = natsNames(namespace);
let database: TestDatabase;
let db: DbClients;
let nc: NatsConnection;
let js: JetStreamClient;
let processor: Processor | undefined;

const enc = (text: string) => new TextEncoder().encode(text);
const pv = (id: string, extra = "", ts = Date.now() - 1000) =>
  enc(`{"id":"${id}","type":"page_view","ts":${ts},"attrs":{"path":"/"${extra}}}`);

beforeAll(async () => {
  database = await createTestDatabase();
  db = createDbClients(database.url, { max: 4 });
  nc = await connectNats(NATS_URL, "bad-input-test");
  await setupEventStream(nc, { namespace, dedupWindowSeconds: 60 });
  js = jetstream(nc);
  processor = await startProcessor(
    { nc, pool: db.pool, log: createLogger("processor", "error") },
    testProcessorOptions(namespace, { batchSize: 50, reconcileWindowDays: 7 }),
  );
});

afterAll(async () => {
  await processor?.stop();
  await nc?.close();
  await deleteNamespace(namespace);
  await db?.close();
  await database?.drop();
});

async function drained() {
  const jsm = await jetstreamManager(nc);
  const last = (await jsm.streams.info(names.stream)).state.last_seq;
  await eventually(async () => {
    const info = await jsm.consumers.info(names.stream, names.durable);
    return info.ack_floor.stream_seq >= last && info.num_ack_pending === 0 ? true : undefined;
  });
}

describe("bad input published on NATS", () => {
  it("dead-letters each bad message with its exact bytes and reason; the valid ones of the batch count", async () => {
    const bad: [code: string, bytes: Uint8Array][] = [
      ["invalid_attrs", pv("n-nul", ',"q":"\\u0000"')],
      ["invalid_attrs", pv("n-sur", ',"\\udfffk":1')],
      ["invalid_id", pv("n-cr\\r")],
      [
        "invalid_encoding",
        new Uint8Array([...pv("n-utf8", ',"q":"caf').subarray(0, -2), 0xe9, ...enc('"}}')]),
      ],
      ["nesting_too_deep", pv("n-deep", `,"d":${"[".repeat(2000)}${"]".repeat(2000)}`)],
      ["duplicate_key", pv("n-dup", ',"path":"/again"')],
      ["ts_too_old", pv("n-old", "", Date.now() - 8 * 86_400_000)],
      ["invalid_ts", pv("n-secs", "", Math.floor(Date.now() / 1000))],
    ];
    await js.publish(eventSubject(namespace, "page_view"), pv("n-ok-1"), { msgID: "n-ok-1" });
    for (const [, bytes] of bad) await js.publish(eventSubject(namespace, "page_view"), bytes);
    // Not an envelope of ingest on the rejection subject: kept too, as a nats dead letter.
    const forged = enc('{"v":2,"payload":"not base64!"}');
    await js.publish(names.httpRejectionSubject, forged);
    await js.publish(eventSubject(namespace, "page_view"), pv("n-ok-2"), { msgID: "n-ok-2" });
    await drained();

    const stored = await db.pool.query("SELECT id FROM raw_events ORDER BY id");
    expect(stored.rows.map((r) => r.id)).toEqual(["n-ok-1", "n-ok-2"]);
    const counted = await db.pool.query(
      "SELECT sum(count)::int AS n FROM metric_rollups WHERE metric = 'events' AND resolution = '1m'",
    );
    expect(counted.rows[0].n).toBe(2);
    const letters = await db.pool.query<{
      code: string;
      source: string;
      payload_bytes: Buffer;
      payload: string;
    }>("SELECT reasons->0->>'code' AS code, source, payload_bytes, payload FROM dead_letters ORDER BY id");
    expect(letters.rows.map((l) => [l.source, l.code])).toEqual([
      ...bad.map(([code]) => ["nats", code]),
      ["nats", "schema_violation"],
    ]);
    letters.rows.forEach((letter, i) => {
      const sent = Buffer.from(bad[i]?.[1] ?? forged);
      expect(letter.payload_bytes.equals(sent), `letter ${i}`).toBe(true);
    });
    // The readable rendering shows the byte that is not UTF-8 as U+FFFD; the bytes keep 0xE9.
    expect(letters.rows[3]?.payload).toContain("caf\ufffd");
  });
});
