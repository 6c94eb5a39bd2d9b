import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "../auth/api-keys";
import { IngestResponse } from "../contract";
import { createDbClients, type DbClients } from "../db/clients";
import { createLogger } from "../log";
import { connectNats } from "../nats/streams";
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
import { gzipSync, brotliCompressSync } from "node:zlib";
import { jetstreamManager, type JetStreamManager } from "@nats-io/jetstream";
import { natsNames } from "../config";
import { ingest } from "../ingest/ingest";
import { ingestContext, ingestPorts } from "./ingest-ports";
import { getWebServices } from "./services";

const namespace = uniqueName("tingest");
let database: TestDatabase;
let db: DbClients;
let processor: Processor;
let POST: (request: Request) => Promise<Response>;
let closeProcessorNats: () => Promise<void>;
let jsm: JetStreamManager;

const NOW = () => Date.now();
const pv = (id: string) => ({ id, type: "page_view", ts: NOW(), attrs: { path: "/home" } });

let ingestKey = "";

function post(
  body: string | Uint8Array,
  contentType = "application/json",
  headers: Record<string, string> = {},
) {
  return POST(
    new Request("http://test/api/ingest", {
      method: "POST",
      headers: { "content-type": contentType, authorization: `Bearer ${ingestKey}`, ...headers },
      body: typeof body === "string" ? body : Buffer.from(body),
    }),
  );
}

const enc = (text: string) => new TextEncoder().encode(text);
/** A JSON array of items given as exact bytes. */
const arrayOf = (items: Uint8Array[]) =>
  new Uint8Array(
    items.flatMap((item, i) => [...(i === 0 ? enc("[") : enc(",")), ...item]).concat([...enc("]")]),
  );

/** The dead letters (source, reason) whose stored bytes equal each of `payloads` exactly. */
async function lettersWithBytes(payloads: Uint8Array[]) {
  const buffers = payloads.map((p) => Buffer.from(p));
  return eventually(async () => {
    const result = await db.pool.query<{ payload_bytes: Buffer; code: string; source: string }>(
      `SELECT payload_bytes, reasons->0->>'code' AS code, source FROM dead_letters WHERE payload_bytes = ANY($1::bytea[])`,
      [buffers],
    );
    return result.rows.length >= buffers.length ? result.rows : undefined;
  });
}

beforeAll(async () => {
  database = await createTestDatabase();
  // The route handler builds its services from the environment, as in production.
  process.env.DATABASE_URL = database.url;
  process.env.NATS_URL = NATS_URL;
  process.env.NOWCAST_NAMESPACE = namespace;
  ({ POST } = await import("../../app/api/ingest/route"));
  db = createDbClients(database.url, { max: 2 });
  ingestKey = (await createApiKey(db.pool, { name: "test", scope: "ingest", createdBy: null })).secret;
  const nc = await connectNats(NATS_URL, "ingest-test-processor");
  closeProcessorNats = () => nc.close();
  jsm = await jetstreamManager(nc);
  processor = await startProcessor(
    { nc, pool: db.pool, log: createLogger("processor", "error") },
    testProcessorOptions(namespace, { maxInFlight: 1000 }),
  );
});

afterAll(async () => {
  await processor?.stop();
  await closeProcessorNats?.();
  await (await getWebServices()).close();
  await deleteNamespace(namespace);
  await db?.close();
  await database?.drop();
});

describe("POST /api/ingest", () => {
  it.each([
    ["a body that is not JSON", "{nope", "application/json", 400, "invalid_json"],
    ["a wrong content type", JSON.stringify(pv("a")), "text/plain", 415, "unsupported_media_type"],
    ["an empty array", "[]", "application/json", 400, "empty_batch"],
    [
      "more than 1000 events",
      JSON.stringify(Array.from({ length: 1001 }, (_, i) => pv(`m${i}`))),
      "application/json",
      413,
      "too_many_events",
    ],
    [
      "a body over 1 MiB",
      JSON.stringify([{ ...pv("big"), attrs: { path: "/", pad: "x".repeat(1_100_000) } }]),
      "application/json",
      413,
      "body_too_large",
    ],
  ])("refuses %s", async (_name, body, contentType, status, code) => {
    const response = await post(body, contentType);
    expect(response.status).toBe(status);
    expect(await response.json()).toEqual({ error: { code, message: expect.any(String) } });
  });

  it("accepts valid events, reports each rejected one, and counts a duplicate id once", async () => {
    const batch = [
      pv("ok-1"),
      { id: "bad-ts", type: "page_view", ts: "tomorrow-ish", attrs: { path: "/" } },
      { ...pv("future"), ts: NOW() + 10 * 60_000 },
      { type: "page_view", ts: NOW(), attrs: { path: "/" } },
      { id: "weird", type: "telemetry_blob", ts: NOW() },
      { id: "nested", type: "page_view", ts: NOW(), attrs: { path: "/", geo: { lat: 1 } } },
      {
        id: "str-value",
        type: "api_request",
        ts: NOW(),
        value: "12",
        attrs: { route: "/r", method: "GET", status: 200 },
      },
      pv("ok-2"),
    ];
    const first = IngestResponse.parse(await (await post(JSON.stringify(batch))).json());
    expect(first.accepted).toBe(2);
    expect(first.duplicates).toBe(0);
    expect(first.rejected.map((r) => [r.index, r.id, r.reasons[0]?.code])).toEqual([
      [1, "bad-ts", "invalid_ts"],
      [2, "future", "ts_in_future"],
      [3, undefined, "missing_field"],
      [4, "weird", "unknown_type"],
      [5, "nested", "invalid_attrs"],
      [6, "str-value", "invalid_value"],
    ]);

    const again = await post(JSON.stringify(pv("ok-1")));
    expect(again.status).toBe(202);
    expect(await again.json()).toEqual({
      accepted: 0,
      duplicates: 1,
      rejected: [],
      notices: [{ index: 0, id: "ok-1", code: "duplicate", message: expect.any(String) }],
      storeChecked: true,
    });

    const stored = await eventually(async () => {
      const result = await db.pool.query<{ id: string }>("SELECT id FROM raw_events ORDER BY id");
      return result.rows.length >= 2 ? result.rows.map((r) => r.id) : undefined;
    });
    expect(stored).toEqual(["ok-1", "ok-2"]);
    // Rejections travel through the stream and the processor's transaction (decision 0014).
    const letters = await eventually(async () => {
      const result = await db.pool.query("SELECT source, event_id FROM dead_letters ORDER BY id");
      return result.rows.length >= 6 ? result.rows : undefined;
    });
    expect(letters).toHaveLength(6);
    expect(letters.every((row) => row.source === "http")).toBe(true);
  });
});

describe("POST /api/ingest with input that used to break the pipeline", () => {
  it("answers each bad event with its reason, keeps its exact bytes, and stores and counts the rest", async () => {
    const now = Date.now();
    const items: [label: string, bytes: Uint8Array][] = [
      ["h-nul", enc(`{"id":"h-nul","type":"page_view","ts":${now},"attrs":{"path":"/","q":"a\\u0000b"}}`)],
      ["h-sur", enc(`{"id":"h-sur","type":"page_view","ts":${now},"attrs":{"path":"/","\\ud800k":1}}`)],
      [
        "h-crlf\\u000d\\u000a",
        enc(`{"id":"h-crlf\\r\\n","type":"page_view","ts":${now},"attrs":{"path":"/"}}`),
      ],
      [
        "h-utf8",
        new Uint8Array([
          ...enc(`{"id":"h-utf8","type":"page_view","ts":${now},"attrs":{"path":"/caf`),
          0xe9,
          ...enc('"}}'),
        ]),
      ],
      [
        "h-deep",
        enc(`{"id":"h-deep","type":"page_view","ts":${now},"attrs":${"[".repeat(3000)}${"]".repeat(3000)}}`),
      ],
      [
        "h-secs",
        enc(`{"id":"h-secs","type":"page_view","ts":${Math.floor(now / 1000)},"attrs":{"path":"/"}}`),
      ],
      [
        "h-feb30",
        enc(`{"id":"h-feb30","type":"page_view","ts":"2026-02-30T10:00:00Z","attrs":{"path":"/"}}`),
      ],
      [
        "h-proto",
        enc(`{"id":"h-proto","type":"page_view","ts":${now},"attrs":{"path":"/","__proto__":"x"}}`),
      ],
      ["h-dupkey", enc(`{"id":"h-dupkey","type":"page_view","ts":${now},"attrs":{"path":"/a","path":"/b"}}`)],
      ["h-old", enc(`{"id":"h-old","type":"page_view","ts":${now - 8 * 86_400_000},"attrs":{"path":"/"}}`)],
    ];
    const valid = [
      enc(JSON.stringify(pv("h-ok-1"))),
      enc(`{ "id": "h-ok-2", "type": "page_view", "ts": ${now}, "attrs": {"path": "/x"} }`),
    ];
    const response = await post(
      arrayOf([valid[0] ?? enc(""), ...items.map(([, b]) => b), valid[1] ?? enc("")]),
    );
    expect(response.status).toBe(202);
    const answer = IngestResponse.parse(await response.json());
    expect(answer.accepted).toBe(2);
    expect(answer.rejected.map((r) => [r.index, r.reasons[0]?.code])).toEqual([
      [1, "invalid_attrs"],
      [2, "invalid_attrs"],
      [3, "invalid_id"],
      [4, "invalid_encoding"],
      [5, "nesting_too_deep"],
      [6, "invalid_ts"],
      [7, "invalid_ts"],
      [8, "invalid_attrs"],
      [9, "duplicate_key"],
      [10, "ts_too_old"],
    ]);

    // Every rejected item is a dead letter holding exactly the bytes that were sent.
    const letters = await lettersWithBytes(items.map(([, bytes]) => bytes));
    expect(letters).toHaveLength(items.length);
    expect(letters.every((l) => l.source === "http")).toBe(true);
    expect(letters.map((l) => l.code).sort()).toEqual(answer.rejected.map((r) => r.reasons[0]?.code).sort());
    const counted = await eventually(async () => {
      const result = await db.pool.query<{ n: number }>(
        `SELECT coalesce(sum(r.count), 0)::int AS n FROM metric_rollups r
         WHERE r.metric = 'events' AND r.resolution = '1m' AND r.group_key = 'page_view'
           AND r.bucket_start >= to_timestamp($1 / 1000.0) - interval '1 minute'`,
        [now],
      );
      const stored = await db.pool.query("SELECT id FROM raw_events WHERE id LIKE 'h-%' ORDER BY id");
      return stored.rows.length === 2
        ? { ids: stored.rows.map((r) => r.id), n: result.rows[0]?.n ?? 0 }
        : undefined;
    });
    expect(counted.ids).toEqual(["h-ok-1", "h-ok-2"]);
    expect(counted.n).toBeGreaterThanOrEqual(2);
  });

  it("reads gzip, deflate and br bodies; refuses a zip bomb, a lying encoding and an unknown one", async () => {
    const events = [pv("z-gzip"), pv("z-br")];
    const gz = await post(gzipSync(Buffer.from(JSON.stringify([events[0]]))), "application/json", {
      "content-encoding": "gzip",
    });
    const br = await post(
      brotliCompressSync(Buffer.from(JSON.stringify([events[1]]))),
      "application/json; charset=UTF-8",
      {
        "content-encoding": "br",
      },
    );
    expect([gz.status, br.status]).toEqual([202, 202]);
    expect([(await gz.json()).accepted, (await br.json()).accepted]).toEqual([1, 1]);
    const bomb = await post(gzipSync(Buffer.alloc(50 * 1024 * 1024, 0x20)), "application/json", {
      "content-encoding": "gzip",
    });
    expect(bomb.status).toBe(413);
    const lying = await post(JSON.stringify(pv("z-plain")), "application/json", {
      "content-encoding": "gzip",
    });
    expect([lying.status, (await lying.json()).error.code]).toEqual([400, "invalid_content_encoding"]);
    const unknown = await post(JSON.stringify(pv("z-c")), "application/json", {
      "content-encoding": "compress",
    });
    expect(unknown.status).toBe(415);
    const latin1 = await post(JSON.stringify(pv("z-l")), "application/json; charset=iso-8859-1");
    expect([latin1.status, (await latin1.json()).error.code]).toEqual([415, "unsupported_charset"]);
  });

  it("reports an id stored long ago (after JetStream's window) as a duplicate and does not publish it", async () => {
    await db.pool.query(
      `INSERT INTO raw_events (id, type, ts, received_at, v, attrs) VALUES ('stored-long-ago', 'page_view', now() - interval '1 day', now() - interval '1 day', 1, '{"path":"/"}')`,
    );
    const before = (await jsm.streams.info(natsNames(namespace).stream)).state.messages;
    const answer = IngestResponse.parse(await (await post(JSON.stringify([pv("stored-long-ago")]))).json());
    expect(answer).toMatchObject({ accepted: 0, duplicates: 1, storeChecked: true });
    expect(answer.notices[0]).toMatchObject({
      code: "duplicate",
      message: expect.stringContaining("already stored"),
    });
    expect((await jsm.streams.info(natsNames(namespace).stream)).state.messages).toBe(before);
  });

  it("says per event when an event will only count after reconciliation", async () => {
    await post(JSON.stringify([pv("wm-now")]));
    await eventually(async () => {
      const row = await db.pool.query("SELECT max_event_time FROM consumer_checkpoints");
      return row.rows[0] && (await db.pool.query("SELECT 1 FROM raw_events WHERE id = 'wm-now'")).rowCount
        ? true
        : undefined;
    });
    const late = { ...pv("wm-late"), ts: Date.now() - 30 * 60_000 };
    const answer = IngestResponse.parse(await (await post(JSON.stringify([late, pv("wm-fresh")]))).json());
    expect(answer).toMatchObject({ accepted: 2, notices: [{ index: 0, id: "wm-late", code: "too_late" }] });
    const stored = await eventually(async () => {
      const row = await db.pool.query("SELECT too_late FROM raw_events WHERE id = 'wm-late'");
      return row.rows[0];
    });
    expect(stored).toEqual({ too_late: true });
  });

  it("counts each id once across concurrent identical requests", async () => {
    const batch = JSON.stringify(Array.from({ length: 20 }, (_, i) => pv(`conc-${i}`)));
    const answers = await Promise.all(
      [post(batch), post(batch), post(batch)].map(async (r) => IngestResponse.parse(await (await r).json())),
    );
    expect(answers.reduce((n, a) => n + a.accepted, 0)).toBe(20);
    expect(answers.reduce((n, a) => n + a.duplicates, 0)).toBe(40);
  });

  it("goes on without Postgres: events are published, and the answer says the store was not asked", async () => {
    const web = await getWebServices();
    const down = createDbClients("postgresql://postgres@127.0.0.1:1/none", { max: 1 });
    try {
      const ports = ingestPorts({ ...web, db: down });
      const answer = await ingest(
        ports,
        enc(JSON.stringify([pv("pg-down-1")])),
        ingestContext(web, Date.now()),
      );
      expect(answer).toMatchObject({ accepted: 1, storeChecked: false, rejected: [] });
    } finally {
      await down.close();
    }
    await eventually(async () =>
      (await db.pool.query("SELECT 1 FROM raw_events WHERE id = 'pg-down-1'")).rowCount ? true : undefined,
    );
  });
});
