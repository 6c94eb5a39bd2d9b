// Scoring against real Postgres, JetStream and the processor: two web instances (each its own
// pool, NATS connection and rule cache, as two processes would have) deciding a burst on one
// card; retries of one id; the processor restarted and an instance replaced mid-burst; the
// outbox finishing an ingest that JetStream missed; bad inputs.
import { performance } from "node:perf_hooks";
import { jetstream } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ScoreResponse } from "../contract/fraud";
import { createDbClients, type DbClients } from "../db/clients";
import { createLogger } from "../log";
import { connectNats, setupEventStream } from "../nats/streams";
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
import { newPublishMarks, newRuleCache, scorePorts, type ScoreDeps } from "./ports";
import { scoreEvent, type ScoreOutcome, type ScorePorts } from "./score";
import { sweepOutbox } from "./outbox";

const namespace = uniqueName("tfraud");
const log = createLogger("test", "error");
let database: TestDatabase;
let db: DbClients;
let processorNc: NatsConnection;
let processor: Processor;

interface Instance {
  deps: ScoreDeps;
  ports: ScorePorts;
  /** Waits for the publishes the answers did not wait for. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

async function instance(): Promise<Instance> {
  const clients = createDbClients(database.url, { max: 6 });
  const nc = await connectNats(NATS_URL, "fraud-test-web");
  const deps: ScoreDeps = { db: clients, js: jetstream(nc), namespace, log };
  const marks = newPublishMarks(deps);
  return {
    deps,
    ports: scorePorts(deps, newRuleCache(deps), marks),
    settle: () => marks.drain(),
    async close() {
      await marks.drain();
      await nc.drain();
      await clients.close();
    },
  };
}

const startProcessorNow = () =>
  startProcessor(
    { nc: processorNc, pool: db.pool, log },
    testProcessorOptions(namespace, { batchWaitMs: 10 }),
  );

beforeAll(async () => {
  database = await createTestDatabase("nowcast_tfraud");
  db = createDbClients(database.url, { max: 4 });
  processorNc = await connectNats(NATS_URL, "fraud-test-processor");
  await setupEventStream(processorNc, { namespace, dedupWindowSeconds: 60 });
  processor = await startProcessorNow();
});
afterAll(async () => {
  await processor?.stop();
  await processorNc?.close();
  await deleteNamespace(namespace);
  await db?.close();
  await database?.drop();
});

const NOW = Date.now();
const tx = (id: string, over: Record<string, unknown> = {}, attrs: Record<string, unknown> = {}) => ({
  id,
  type: "transaction",
  ts: NOW - 30_000,
  value: 2,
  attrs: {
    currency: "EUR",
    card_id: "card-burst",
    customer_id: "cust-1",
    merchant: "shop",
    device_id: "dev-1",
    country: "DE",
    ...attrs,
  },
  ...over,
});
const body = (event: unknown) => new TextEncoder().encode(JSON.stringify(event));
const score = (i: Instance, event: unknown): Promise<ScoreOutcome> =>
  scoreEvent(i.ports, body(event), { now: Date.now(), oldestAcceptedTs: 0, startedAt: performance.now() });
const decided = (o: ScoreOutcome): ScoreResponse => {
  if (!o.ok) throw new Error(`rejected: ${JSON.stringify(o.reasons)}`);
  return o.response;
};

async function storedRaw(ids: string[]) {
  return eventually(
    async () => {
      const { rows } = await db.pool.query<{ id: string; attrs: Record<string, unknown> }>(
        `SELECT id, attrs FROM raw_events WHERE id = ANY($1::text[])`,
        [ids],
      );
      return rows.length === ids.length ? rows : undefined;
    },
    30_000,
    `${ids.length} raw events`,
  );
}

describe("scoring a burst across two instances", () => {
  it("sees every earlier transaction of the card, whichever instance decided it", async () => {
    const [a, b] = [await instance(), await instance()];
    try {
      const ids = Array.from({ length: 10 }, (_, i) => `burst-${i}`);
      const results = (
        await Promise.all(ids.map((id, i) => score(i % 2 ? b : a, tx(id, { value: i + 1 }))))
      ).map(decided);
      // Serialized by the card's lock: the k-th decision counts k transactions, and its amount is
      // the sum of its own and every earlier one's.
      const byCount = [...results].sort(
        (x, y) => (x.features.card_count_1m ?? 0) - (y.features.card_count_1m ?? 0),
      );
      expect(byCount.map((r) => r.features.card_count_1m)).toEqual(ids.map((_, i) => i + 1));
      let running = 0;
      for (const r of byCount) {
        running += r.features.amount ?? 0;
        expect(r.features.card_amount_1m).toBe(running);
        expect(r.features.customer_count_1h).toBe(r.features.card_count_1m);
        expect(r.features.device_count_24h).toBe(r.features.card_count_1m);
      }
      // Card testing (≥ 5 amounts ≤ 5 within a minute) or customer velocity (≥ 8 within an hour).
      for (const r of byCount) {
        const count = r.features.card_count_1m ?? 0;
        const expected = (count >= 5 && (r.features.amount ?? 0) <= 5) || count >= 8 ? "flagged" : "approved";
        expect(r.decision, `decision at count ${count}`).toBe(expected);
      }
      // Ingested once each, with the decision in attrs, and counted by the decision metrics.
      const raw = await storedRaw(ids);
      for (const r of results)
        expect(raw.find((row) => row.id === r.id)?.attrs).toMatchObject({
          fraud_decision: r.decision,
          fraud_score: r.score,
          fraud_rules_version: 1,
        });
      const flagged = results.filter((r) => r.decision === "flagged").length;
      const counts = await eventually(async () => {
        const { rows } = await db.pool.query<{ metric: string; group_key: string; n: number }>(
          `SELECT metric, group_key, sum(count)::int AS n FROM metric_rollups WHERE resolution = '1m'
           AND metric IN ('transactions_scored', 'transactions_flagged', 'transactions_by_decision') GROUP BY 1, 2 ORDER BY 1, 2`,
        );
        return rows.find((r) => r.metric === "transactions_scored")?.n === 10 ? rows : undefined;
      });
      expect(counts).toEqual(
        expect.arrayContaining([
          { metric: "transactions_scored", group_key: "", n: 10 },
          { metric: "transactions_flagged", group_key: "", n: flagged },
          { metric: "transactions_by_decision", group_key: "flagged", n: flagged },
          { metric: "transactions_by_decision", group_key: "approved", n: 10 - flagged },
        ]),
      );
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("answers retries of one id with the stored decision, counted and ingested once", async () => {
    const [a, b] = [await instance(), await instance()];
    try {
      const event = tx("retry-1", {}, { card_id: "card-retry" });
      const answers = (
        await Promise.all(Array.from({ length: 6 }, (_, i) => score(i % 2 ? a : b, event)))
      ).map(decided);
      for (const answer of answers) expect(answer).toEqual(answers[0]);
      // A different body under the same id is not re-scored either: the first decision wins.
      const changed = decided(await score(a, { ...event, value: 999 }));
      expect(changed).toEqual(answers[0]);
      const { rows } = await db.pool.query(
        `SELECT count(*)::int AS n FROM fraud_decisions WHERE card_id = 'card-retry'`,
      );
      expect(rows[0]).toEqual({ n: 1 });
      const next = decided(await score(b, tx("retry-2", {}, { card_id: "card-retry" })));
      expect(next.features.card_count_1m).toBe(2);
      await storedRaw(["retry-1", "retry-2"]);
      const raw = await db.pool.query(`SELECT count(*)::int AS n FROM raw_events WHERE id LIKE 'retry-%'`);
      expect(raw.rows[0]).toEqual({ n: 2 });
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("keeps every count right when the processor restarts and an instance is replaced mid-burst", async () => {
    let a = await instance();
    const b = await instance();
    try {
      const ids = Array.from({ length: 12 }, (_, i) => `restart-${i}`);
      const event = (i: number) =>
        tx(ids[i] ?? "", { value: 10 }, { card_id: "card-restart", customer_id: "cust-restart" });
      const first = await Promise.all([0, 1, 2, 3].map((i) => score(i % 2 ? a : b, event(i))));
      // In JetStream before the stop (a message the stopped consumer held unacked would only be
      // redelivered after the ack wait, 30 s: correct, but slow for a test).
      await Promise.all([a.settle(), b.settle()]);
      await processor.stop();
      const during = await Promise.all([4, 5, 6, 7].map((i) => score(i % 2 ? a : b, event(i))));
      await a.close();
      a = await instance();
      processor = await startProcessorNow();
      const last = await Promise.all([8, 9, 10, 11].map((i) => score(i % 2 ? a : b, event(i))));
      const counts = [...first, ...during, ...last]
        .map((o) => decided(o).features.card_count_1m)
        .sort((x, y) => (x ?? 0) - (y ?? 0));
      expect(counts).toEqual(ids.map((_, i) => i + 1));
      const raw = await storedRaw(ids);
      expect(raw).toHaveLength(12);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("ingests a decision JetStream did not get, once, through the outbox", async () => {
    const a = await instance();
    try {
      let failures = 1;
      const flaky: ScoreDeps = {
        ...a.deps,
        js: {
          publish: (...args: Parameters<ScoreDeps["js"]["publish"]>) => {
            if (failures-- > 0) return Promise.reject(new Error("JetStream unavailable"));
            return a.deps.js.publish(...args);
          },
        },
      };
      const ports = scorePorts(flaky, newRuleCache(flaky), newPublishMarks(flaky));
      const outcome = decided(
        await scoreEvent(ports, body(tx("outbox-1", {}, { card_id: "card-outbox" })), {
          now: Date.now(),
          oldestAcceptedTs: 0,
          startedAt: performance.now(),
        }),
      );
      await a.settle();
      const { rows } = await db.pool.query(
        `SELECT count(*)::int AS n FROM fraud_outbox WHERE id = 'outbox-1'`,
      );
      expect(rows[0]).toEqual({ n: 1 });
      const swept = await sweepOutbox(a.deps, new Date(Date.now() + 60_000), 100);
      expect(swept).toBe(1);
      const raw = await storedRaw(["outbox-1"]);
      expect(raw[0]?.attrs).toMatchObject({ fraud_decision: outcome.decision });
      expect(await sweepOutbox(a.deps, new Date(Date.now() + 60_000), 100)).toBe(0);
    } finally {
      await a.close();
    }
  });
});

describe("bad inputs", () => {
  it.each([
    ["a missing card", tx("bad-1", {}, { card_id: undefined }), "attrs.card_id"],
    ["another type", { ...tx("bad-2"), type: "page_view", value: undefined, attrs: { path: "/" } }, "type"],
    ["a decision attr sent in", tx("bad-3", {}, { fraud_decision: "approved" }), "attrs.fraud_decision"],
    ["a negative amount", tx("bad-4", { value: -1 }), "value"],
    ["no id", { ...tx("x"), id: undefined }, "id"],
    [
      "too many attrs",
      tx("bad-5", {}, Object.fromEntries(Array.from({ length: 24 }, (_, i) => [`k${i}`, i]))),
      "attrs",
    ],
  ])("refuses %s with reasons naming the field, and decides nothing", async (_name, event, path) => {
    const a = await instance();
    try {
      const outcome = await score(a, event);
      expect(outcome.ok).toBe(false);
      if (!outcome.ok) expect(outcome.reasons.map((r) => r.path)).toContain(path);
      const { rows } = await db.pool.query(
        `SELECT count(*)::int AS n FROM fraud_decisions WHERE id LIKE 'bad-%'`,
      );
      expect(rows[0]).toEqual({ n: 0 });
    } finally {
      await a.close();
    }
  });
});
