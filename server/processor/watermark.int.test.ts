import { jetstream, jetstreamManager, type JetStreamClient } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LiveBatch } from "../contract";
import { natsNames } from "../config";
import { DEFAULT_TIME_SETTINGS } from "../core/engine";
import { createDbClients, type DbClients } from "../db/clients";
import { createLogger } from "../log";
import { connectNats, eventSubject, setupEventStream } from "../nats/streams";
import { waitUntilDrained } from "../testing/drain";
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

/**
 * Issue 10, item 11, with the real processor: an event from the future cannot push the
 * watermark past the processing clock, and an idle stream's watermark advances after the idle
 * timeout (checkpoint and live batch, no events), so its last buckets turn final.
 */
const namespace = uniqueName("twm");
const names = natsNames(namespace);
const IDLE_TIMEOUT_MS = 1_500;
const OOO = DEFAULT_TIME_SETTINGS.outOfOrdernessMs;
let database: TestDatabase;
let db: DbClients;
let nc: NatsConnection;
let js: JetStreamClient;
let processor: Processor | undefined;
const liveBatches: LiveBatch[] = [];
/** The processor's processing clock: it stands still until a test moves it. */
let clockNow = Math.floor(Date.now() / 1_000) * 1_000;

const view = (id: string, ts: number) => JSON.stringify({ id, type: "page_view", ts, attrs: { path: "/w" } });
const publish = (id: string, ts: number) =>
  js.publish(eventSubject(namespace, "page_view"), view(id, ts), { msgID: id });
const drained = async () => waitUntilDrained(await jetstreamManager(nc), namespace, 20_000);
const checkpointClock = async () =>
  (
    await db.pool.query<{ t: number }>(
      `SELECT (extract(epoch FROM max_event_time) * 1000)::float8 AS t FROM consumer_checkpoints WHERE consumer = $1`,
      [names.durable],
    )
  ).rows[0]?.t ?? null;

beforeAll(async () => {
  database = await createTestDatabase("nowcast_wm");
  db = createDbClients(database.url, { max: 4 });
  nc = await connectNats(NATS_URL, "watermark-test");
  await setupEventStream(nc, { namespace, dedupWindowSeconds: 60 });
  js = jetstream(nc);
  nc.subscribe(`${names.liveSubjectPrefix}.events`, {
    callback: (_e, m) => void liveBatches.push(LiveBatch.parse(m.json())),
  });
  processor = await startProcessor(
    { nc, pool: db.pool, log: createLogger("processor", "error"), now: () => clockNow },
    testProcessorOptions(namespace, { idleTimeoutMs: IDLE_TIMEOUT_MS }),
  );
});

afterAll(async () => {
  await processor?.stop();
  await nc?.close();
  await deleteNamespace(namespace);
  await db?.close();
  await database?.drop();
});

describe("the watermark and the processing clock", () => {
  it("advances an idle stream's watermark so its last bucket turns final, without events", async () => {
    // 70 s old: its minute is still open by the stream's own event time.
    const ts = clockNow - 70_000;
    const minuteEnd = Math.floor(ts / 60_000) * 60_000 + 60_000;
    await publish("idle-1", ts);
    await drained();
    const first = liveBatches.find((b) => b.total === 1);
    expect(first?.watermark).toBe(ts - OOO);
    expect((first?.watermark ?? 0) < minuteEnd).toBe(true);
    // Idle for exactly the timeout: the clock moves to the processing time, without events.
    clockNow += IDLE_TIMEOUT_MS;
    const advanced = await eventually(
      async () => liveBatches.find((b) => b.watermark === clockNow - OOO),
      20_000,
      "a live batch with the idle stream's watermark",
    );
    expect(advanced.watermark).toBeGreaterThanOrEqual(minuteEnd);
    expect(advanced).toMatchObject({ total: 1, rates: [], buckets: [] });
    expect(advanced.batchSeq).toBeGreaterThan(first?.batchSeq ?? 0);
    // Committed as the consumer's clock, for the scheduler and the history reader too.
    expect(await checkpointClock()).toBe(clockNow);
    expect(await db.pool.query(`SELECT 1 FROM raw_events`).then((r) => r.rowCount)).toBe(1);
  });

  it("does not let an event 4 minutes ahead move the watermark past now − out-of-orderness", async () => {
    // One second on (less than the idle timeout since the last advance).
    clockNow += 1_000;
    const now = clockNow;
    await publish("future-1", now + 4 * 60_000);
    await drained();
    // The clock moved to the processing time, not to the event's time.
    expect(await checkpointClock()).toBe(now);
    for (const batch of liveBatches)
      if (batch.watermark !== null) expect(batch.watermark).toBeLessThanOrEqual(now - OOO);
    expect(liveBatches.at(-1)?.watermark).toBe(now - OOO);
    // Real events right after it are on time, not late.
    const ts = now - 1_000;
    for (const id of ["real-1", "real-2"]) await publish(id, ts);
    await drained();
    const rows = await db.pool.query<{ id: string; too_late: boolean; revisions: number }>(
      `SELECT e.id, e.too_late, r.revisions FROM raw_events e
       JOIN metric_rollups r ON r.metric = 'events' AND r.resolution = '1m' AND r.group_key = 'page_view'
        AND r.bucket_start = to_timestamp(floor(extract(epoch FROM e.ts) / 60) * 60)
       WHERE e.id LIKE 'real-%' ORDER BY e.id`,
    );
    expect(rows.rows).toEqual([
      { id: "real-1", too_late: false, revisions: 0 },
      { id: "real-2", too_late: false, revisions: 0 },
    ]);
  });
});
