import { jetstream, jetstreamManager, type JetStreamClient } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LiveBatch } from "../contract";
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

const namespace = uniqueName("tproc");
const names = natsNames(namespace);
let database: TestDatabase;
let db: DbClients;
let nc: NatsConnection;
let js: JetStreamClient;
let processor: Processor | undefined;
const liveBatches: LiveBatch[] = [];

const options = testProcessorOptions(namespace, { batchSize: 50 });
const start = async () =>
  (processor = await startProcessor(
    { nc, pool: db.pool, log: createLogger("processor", "error"), databaseUrl: database.url },
    options,
  ));

const event = (id: string, type = "page_view") =>
  JSON.stringify({ id, type, ts: Date.now() - 1000, attrs: { path: "/p" } });

async function publish(type: string, body: string, msgID: string) {
  return js.publish(eventSubject(namespace, type), body, { msgID });
}

async function countRows(sql: string): Promise<number> {
  const result = await db.pool.query<{ n: number }>(sql);
  return result.rows[0]?.n ?? 0;
}

/** Waits until the processor has committed everything up to the stream's last sequence. */
async function drained() {
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

beforeAll(async () => {
  database = await createTestDatabase();
  db = createDbClients(database.url, { max: 4 });
  nc = await connectNats(NATS_URL, "processor-test");
  await setupEventStream(nc, { namespace, dedupWindowSeconds: 60 });
  js = jetstream(nc);
  nc.subscribe(`${names.liveSubjectPrefix}.events`, {
    callback: (_e, m) => void liveBatches.push(LiveBatch.parse(m.json())),
  });
  await start();
});

afterAll(async () => {
  await processor?.stop();
  await nc?.close();
  await deleteNamespace(namespace);
  await db?.close();
  await database?.drop();
});

describe("processor against real NATS and Postgres", () => {
  it("stores valid events once, dead-letters bad ones and keeps running", async () => {
    await publish("page_view", event("e1"), "e1");
    await publish("page_view", "this is not json", "bad-1");
    await publish("page_view", event("e2"), "e2");
    await publish("page_view", JSON.stringify({ id: "x", type: "page_view", ts: "soon" }), "bad-2");
    await publish("signup", event("e3"), "bad-3"); // a page_view on the signup subject
    // A retry after JetStream's dedup window has the same id but passes the stream: Postgres absorbs it.
    await publish("page_view", event("e1"), "e1-retry");
    await publish(
      "api_request",
      JSON.stringify({
        id: "e4",
        type: "api_request",
        ts: Date.now(),
        value: 12.5,
        attrs: { route: "/r", method: "GET", status: 200 },
      }),
      "e4",
    );
    await drained();

    expect(await countRows("SELECT count(*)::int AS n FROM raw_events")).toBe(3);
    const rollups = await db.pool.query(
      "SELECT group_key, sum(count)::int AS n FROM metric_rollups WHERE metric = 'events' GROUP BY 1 ORDER BY 1",
    );
    expect(rollups.rows).toEqual([
      { group_key: "api_request", n: 1 },
      { group_key: "page_view", n: 2 },
    ]);
    const letters = await db.pool.query(
      "SELECT subject, reasons->0->>'code' AS code, payload FROM dead_letters ORDER BY id",
    );
    expect(letters.rows).toEqual([
      { subject: `${namespace}.events.page_view`, code: "invalid_json", payload: "this is not json" },
      {
        subject: `${namespace}.events.page_view`,
        code: "invalid_ts",
        payload: expect.stringContaining('"soon"'),
      },
      {
        subject: `${namespace}.events.signup`,
        code: "type_mismatch",
        payload: expect.stringContaining('"id":"e3"'),
      },
    ]);
  });

  it("publishes live batches whose last total equals the stored count", async () => {
    await eventually(async () => (liveBatches.at(-1)?.total === 3 ? true : undefined), 5_000, "live total 3");
    const rates = liveBatches.flatMap((b) => b.rates);
    expect(rates.reduce((n, r) => n + r.count, 0)).toBe(3);
    const seqs = liveBatches.map((b) => b.batchSeq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  });

  it("resumes after a restart without loss or double count", async () => {
    await processor?.stop();
    processor = undefined;
    for (let i = 0; i < 120; i++) await publish("page_view", event(`r${i}`), `r${i}`);
    await start();
    await drained();
    expect(await countRows("SELECT count(*)::int AS n FROM raw_events")).toBe(123);
    expect(await countRows("SELECT sum(count)::int AS n FROM metric_rollups WHERE metric = 'events'")).toBe(
      123,
    );
    expect(await countRows("SELECT sum(events_total)::int AS n FROM consumer_checkpoints")).toBe(123);
  });

  it("enriches transactions from dimension tables and picks up changes at once", async () => {
    await db.pool.query("INSERT INTO customers (id, segment, home_country) VALUES ('cust-1', 'vip', 'DE')");
    await db.pool.query("INSERT INTO merchants (id, category) VALUES ('shop-1', 'travel')");
    const transaction = (id: string) =>
      JSON.stringify({
        id,
        type: "transaction",
        ts: Date.now() - 1000,
        value: 100,
        attrs: { currency: "EUR", card_id: "card", customer_id: "cust-1", merchant: "shop-1", country: "FR" },
      });
    await publish("transaction", transaction("tx-1"), "tx-1");
    await drained();
    const first = await db.pool.query("SELECT attrs FROM raw_events WHERE id = 'tx-1'");
    expect(first.rows[0]?.attrs).toMatchObject({
      customer_segment: "vip",
      customer_home_country: "DE",
      country_mismatch: true,
      merchant_category: "travel",
    });

    // The cache holds cust-1 now; a change must reach the next batch without waiting for a TTL.
    await db.pool.query("UPDATE customers SET segment = 'churn-risk' WHERE id = 'cust-1'");
    await eventually(
      async () => {
        await publish("transaction", transaction(`tx-probe-${Date.now()}`), `probe-${Date.now()}`);
        await drained();
        const latest = await db.pool.query(
          "SELECT attrs->>'customer_segment' AS s FROM raw_events WHERE id LIKE 'tx-probe-%' ORDER BY received_at DESC LIMIT 1",
        );
        return latest.rows[0]?.s === "churn-risk" ? true : undefined;
      },
      5_000,
      "segment change to reach enrichment",
    );

    const groups = await db.pool.query(
      "SELECT group_key, sum(count)::int AS n FROM metric_rollups WHERE metric = 'transaction_amount_by_segment' AND group_key <> '' GROUP BY 1 ORDER BY 1",
    );
    expect(groups.rows.map((r) => r.group_key)).toEqual(["churn-risk", "vip"]);
  });

  it("keeps the 10 s live tier across a restart by rebuilding it from stored events", async () => {
    const ts = Date.now() - 2_000;
    const bucket = Math.floor(ts / 10_000) * 10_000;
    const request = (id: string) =>
      JSON.stringify({
        id,
        type: "api_request",
        ts,
        value: 40,
        attrs: { route: "/live", method: "GET", status: 200 },
      });
    const liveCount = () =>
      liveBatches
        .flatMap((b) => b.buckets)
        .filter(
          (b) =>
            b.metric === "api_requests" &&
            b.resolution === "10s" &&
            b.bucketStart === bucket &&
            b.groupKey === "/live",
        )
        .at(-1)?.summary.count;

    for (const id of ["l1", "l2", "l3"]) await publish("api_request", request(id), id);
    await drained();
    await eventually(async () => (liveCount() === 3 ? true : undefined), 5_000, "10 s bucket with 3 events");

    await processor?.stop();
    await start();
    await publish("api_request", request("l4"), "l4");
    await drained();
    await eventually(
      async () => (liveCount() === 4 ? true : undefined),
      5_000,
      "10 s bucket with 4 events after restart",
    );
  });

  it("applies a new metric definition without a restart, counting exactly what its eq filter takes", async () => {
    await db.pool.query(
      `INSERT INTO metric_definitions (name, event_type, aggregation, field, filter, group_by)
       VALUES ('checkout_views', 'page_view', 'count', 'value', '[{"attr":"path","op":"eq","value":"/checkout"}]', 'country')`,
    );
    const view = (id: string, attrs: Record<string, string>) =>
      JSON.stringify({ id, type: "page_view", ts: Date.now() - 1000, attrs });
    const counted = async () => {
      const rows = await db.pool.query<{ group_key: string; n: number }>(
        "SELECT group_key, sum(count)::int AS n FROM metric_rollups WHERE metric = 'checkout_views' GROUP BY 1",
      );
      return new Map(rows.rows.map((r) => [r.group_key, r.n]));
    };
    // The processor re-reads definitions on a timer: probe until one checkout view is counted.
    await eventually(
      async () => {
        const id = `cv-probe-${Date.now()}`;
        await publish("page_view", view(id, { path: "/checkout", country: "NL" }), id);
        await drained();
        return ((await counted()).get("") ?? 0) > 0 ? true : undefined;
      },
      10_000,
      "the new definition to be applied",
    );
    const before = await counted();
    // Now loaded: exactly the views whose path is "/checkout", by country.
    const views: [string, Record<string, string>][] = [
      ["cv-nl-1", { path: "/checkout", country: "NL" }],
      ["cv-nl-2", { path: "/checkout", country: "NL" }],
      ["cv-nl-3", { path: "/checkout", country: "NL" }],
      ["cv-de-1", { path: "/checkout", country: "DE" }],
      ["cv-none", { path: "/checkout" }],
      ["cv-home", { path: "/home", country: "NL" }],
      ["cv-slash", { path: "/checkout/", country: "NL" }],
      ["cv-case", { path: "/Checkout", country: "DE" }],
      ["cv-prefix", { path: "/checkout?step=2", country: "NL" }],
    ];
    for (const [id, attrs] of views) await publish("page_view", view(id, attrs), id);
    await drained();
    const after = await counted();
    const added = (group: string) => (after.get(group) ?? 0) - (before.get(group) ?? 0);
    expect({ total: added(""), NL: added("NL"), DE: added("DE"), none: added("(none)") }).toEqual({
      total: 5,
      NL: 3,
      DE: 1,
      none: 1,
    });
    expect([...after.keys()].sort()).toEqual(["", "(none)", "DE", "NL"]);
  });
});
