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
import { getWebServices } from "./services";

const namespace = uniqueName("tingest");
let database: TestDatabase;
let db: DbClients;
let processor: Processor;
let POST: (request: Request) => Promise<Response>;
let closeProcessorNats: () => Promise<void>;

const NOW = () => Date.now();
const pv = (id: string) => ({ id, type: "page_view", ts: NOW(), attrs: { path: "/home" } });

let ingestKey = "";

function post(body: string, contentType = "application/json") {
  return POST(
    new Request("http://test/api/ingest", {
      method: "POST",
      headers: { "content-type": contentType, authorization: `Bearer ${ingestKey}` },
      body,
    }),
  );
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
    expect(await again.json()).toEqual({ accepted: 0, duplicates: 1, rejected: [] });

    const stored = await eventually(async () => {
      const result = await db.pool.query<{ id: string }>("SELECT id FROM raw_events ORDER BY id");
      return result.rows.length >= 2 ? result.rows.map((r) => r.id) : undefined;
    });
    expect(stored).toEqual(["ok-1", "ok-2"]);
    const letters = await db.pool.query("SELECT source, event_id FROM dead_letters ORDER BY id");
    expect(letters.rows).toHaveLength(6);
    expect(letters.rows.every((row) => row.source === "http")).toBe(true);
  });
});
