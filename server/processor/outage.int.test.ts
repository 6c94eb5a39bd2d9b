import {
  jetstream,
  type ConsumerInfo,
  type JetStreamClient,
  type JetStreamManager,
} from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate } from "../../scripts/migrate";
import { natsNames } from "../config";
import { createDbClients, type DbClients } from "../db/clients";
import { loadDefinitions } from "../db/metric-definitions";
import { createLogger, type Logger } from "../log";
import { connectNats, setupEventStream } from "../nats/streams";
import { waitUntilDrained } from "../testing/drain";
import { startEmbeddedCluster, type EmbeddedCluster } from "../testing/embedded-postgres";
import { EventMix } from "../testing/event-mix";
import { deleteNamespace, eventually, NATS_URL, testProcessorOptions, uniqueName } from "../testing/harness";
import { startPublisher } from "../testing/publisher";
import { expectedRollups, readRollups, rollupDifferences } from "../testing/rollup-truth";
import { seededRandom, testSeed } from "../testing/seeded-random";
import { startProcessor, type Processor } from "./processor";
import { nowcastTypes } from "../db/int8";

/**
 * PostgreSQL goes away for a while in the middle of a steady stream (a private embedded
 * cluster, so the machine's shared server is left alone). The processor must keep running,
 * ack nothing it has not committed, and resume by itself when the database is back: no event
 * lost, none counted twice. NOWCAST_OUTAGE_SECONDS sets the outage (default 20 s;
 * NOWCAST_LONG_TESTS=1 makes it 45 s, longer than JetStream's 30 s ack wait, at a higher rate).
 */
const LONG = process.env.NOWCAST_LONG_TESTS === "1";
const OUTAGE_MS = 1000 * outageSeconds(process.env.NOWCAST_OUTAGE_SECONDS, LONG ? 45 : 20);
/** Messages published per second for the whole test. */
const RATE = LONG ? 200 : 50;
const seed = testSeed(20_261_126);

const namespace = uniqueName("toutage");
const mix = new EventMix(namespace, seededRandom(seed), {
  duplicateRate: 0.03,
  invalidRate: 0,
  maxJitterMs: 2_000,
});
let cluster: EmbeddedCluster | undefined;
let databaseUrl: string;
let db: DbClients | undefined;
/** The test's own connection, separate from the processor's pool. */
let pool: pg.Pool | undefined;
let nc: NatsConnection | undefined;
let jsm: JetStreamManager;
let js: JetStreamClient;
let processor: Processor | undefined;

function outageSeconds(raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === "") return fallback;
  const seconds = Number(raw);
  if (!(seconds > 0 && seconds <= 600))
    throw new Error(`NOWCAST_OUTAGE_SECONDS must be in (0, 600], got "${raw}"`);
  return seconds;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function testPool(): pg.Pool {
  if (!pool) throw new Error("the test pool is not set up");
  return pool;
}

async function scalar(sql: string): Promise<number> {
  const result = await testPool().query<{ n: number | null }>(sql);
  return result.rows[0]?.n ?? 0;
}

const committedEvents = () =>
  scalar("SELECT coalesce(sum(events_total), 0)::float8 AS n FROM consumer_checkpoints");

/** A logger from createLogger that also remembers what was logged at warn and error. */
function recordingLogger() {
  const base = createLogger("processor", "warn");
  const warnings: string[] = [];
  const errors: string[] = [];
  const log: Logger = {
    debug: base.debug,
    info: base.info,
    warn(message, fields) {
      warnings.push(message);
      base.warn(message, fields);
    },
    error(message, fields) {
      errors.push(message);
      base.error(message, fields);
    },
  };
  return { log, warnings, errors };
}

beforeAll(async () => {
  cluster = await startEmbeddedCluster();
  await cluster.createDatabase("nowcast");
  databaseUrl = cluster.url("nowcast");
  await migrate(databaseUrl, () => undefined);
  db = createDbClients(databaseUrl, { max: 4, appName: "nowcast-processor" });
  pool = new pg.Pool({ connectionString: databaseUrl, types: nowcastTypes, max: 1 });
  // Its idle client is terminated by the outage; the next query reconnects.
  pool.on("error", () => undefined);
  nc = await connectNats(NATS_URL, "outage-test");
  jsm = await setupEventStream(nc, { namespace, dedupWindowSeconds: 120 });
  js = jetstream(nc);
}, 120_000);

afterAll(async () => {
  await processor?.stop();
  await db?.close();
  await pool?.end();
  await nc?.close();
  await deleteNamespace(namespace);
  await cluster?.destroy();
});

function setUp() {
  if (!cluster || !db || !nc) throw new Error("beforeAll did not finish");
  return { cluster, db, nc };
}

describe(`processor during a ${OUTAGE_MS / 1000} s PostgreSQL outage (seed ${seed})`, () => {
  it(
    "loses nothing, counts nothing twice and resumes by itself",
    async () => {
      const { cluster, db, nc } = setUp();
      const { log, warnings, errors } = recordingLogger();
      processor = await startProcessor(
        { nc, pool: db.pool, log, databaseUrl },
        testProcessorOptions(namespace, {
          dedupWindowSeconds: 120,
          batchSize: 200,
          maxInFlight: 1000,
          definitionsRefreshMs: 2_000,
        }),
      );
      // `done` settles only when the processor stops; it must not before we stop it.
      let ended: string | undefined;
      processor.done.then(
        () => (ended ??= "returned"),
        (error: unknown) => (ended ??= `failed: ${String(error)}`),
      );

      const publisher = startPublisher(js, mix, RATE);
      let recoveryMs: number | undefined;
      let inOutage: ConsumerInfo | undefined;
      try {
        await eventually(
          async () => ((await committedEvents()) >= RATE ? true : undefined),
          20_000,
          "a first second of events to be committed",
        );
        await cluster.stop();
        await sleep(OUTAGE_MS); // the outage itself: the one fixed wait of this test
        expect(warnings, "the processor should log failed commits").toContain(
          "commit failed; retrying without ack",
        );
        expect(ended, "the processor must survive the outage").toBeUndefined();
        // For the summary: how much the processor holds unacked while it cannot commit.
        inOutage = await jsm.consumers.info(natsNames(namespace).stream, natsNames(namespace).durable);

        // Everything published so far, most of it during the outage, must get committed
        // without help from outside once the database is back.
        const backlog = mix.unique.size;
        const restarted = Date.now();
        await cluster.start();
        await eventually(
          async () => ((await committedEvents()) >= backlog ? true : undefined),
          30_000,
          `the ${backlog} events published before the restart to be committed`,
        );
        recoveryMs = Date.now() - restarted;
      } finally {
        await publisher.stop();
      }
      await waitUntilDrained(jsm, namespace, 30_000);
      console.info(
        `outage test (seed ${seed}): ${mix.messages} messages, ${mix.unique.size} unique events, ` +
          `${mix.duplicates} duplicates; ${warnings.length} warnings; at the end of the outage ` +
          `${inOutage?.num_ack_pending} unacked, ${inOutage?.num_redelivered} redelivered; ` +
          `backlog committed ${recoveryMs} ms after PostgreSQL restarted`,
      );

      const unique = [...mix.unique.values()];
      const stored = await testPool().query<{ id: string }>("SELECT id FROM raw_events");
      expect(stored.rows.length).toBe(unique.length);
      expect(new Set(stored.rows.map((row) => row.id))).toEqual(new Set(mix.unique.keys()));
      expect(
        await scalar(
          "SELECT sum(count)::float8 AS n FROM metric_rollups WHERE metric = 'events' AND resolution = '1m'",
        ),
      ).toBe(unique.length);
      expect(await committedEvents()).toBe(unique.length);
      expect(await scalar("SELECT count(*)::float8 AS n FROM dead_letters")).toBe(0);
      // Every rollup as if there had been no outage.
      const loaded = await loadDefinitions(testPool());
      expect(
        rollupDifferences(expectedRollups(loaded.definitions, unique), await readRollups(testPool())),
      ).toEqual([]);

      // Still the same processor, and it still processes new events.
      expect(ended).toBeUndefined();
      expect(errors).toEqual([]);
      const probe = new EventMix(
        namespace,
        seededRandom(seed + 1),
        { duplicateRate: 0, invalidRate: 0, maxJitterMs: 0 },
        "probe",
      );
      for (let i = 0; i < 20; i++) {
        const message = probe.next(Date.now());
        await js.publish(message.subject, message.body, { msgID: message.msgID });
      }
      await waitUntilDrained(jsm, namespace, 15_000);
      expect(await scalar("SELECT count(*)::float8 AS n FROM raw_events WHERE id LIKE 'probe-%'")).toBe(20);
      expect(await committedEvents()).toBe(unique.length + 20);
    },
    OUTAGE_MS + 120_000,
  );
});
