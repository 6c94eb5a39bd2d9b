import { countOnlySummary } from "../testing/summaries";
import type { NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LiveBatch, MetricBucket } from "../contract";
import type { LiveSeed } from "../core/live-store";
import { createLogger } from "../log";
import { connectNats } from "../nats/streams";
import { eventually, NATS_URL, uniqueName } from "../testing/harness";
import { startLiveFeed } from "./live-feed";

const T = Date.UTC(2026, 11, 1, 8);
const subject = `${uniqueName("tfeed")}.live.events`;
let nc: NatsConnection;

const bucket = (count: number): MetricBucket => ({
  metric: "signups",
  resolution: "10s",
  bucketStart: T,
  groupKey: "",
  state: "open",
  summary: countOnlySummary(count),
});
const batch = (batchSeq: number): LiveBatch => ({
  consumer: "p",
  batchSeq,
  total: batchSeq,
  tooLateTotal: 0,
  watermark: T,
  rates: [],
  buckets: [bucket(batchSeq)],
  committedAt: T,
});

beforeAll(async () => {
  nc = await connectNats(NATS_URL, "feed-test");
});
afterAll(async () => {
  await nc?.close();
});

describe("live feed (real NATS)", () => {
  it("keeps batches that arrive while the seed is read, drops those it holds, re-seeds on a gap", async () => {
    const seeds: number[] = [];
    let release: (() => void) | undefined;
    const readSeed = async (): Promise<LiveSeed> => {
      seeds.push(Date.now());
      // The first seed read is slow: batches 4–7 are published meanwhile.
      if (seeds.length === 1) await new Promise<void>((resolve) => (release = resolve));
      const seq = seeds.length === 1 ? 5 : 12;
      return {
        consumers: { p: { batchSeq: seq, watermark: T, total: seq, tooLateTotal: 0 } },
        buckets: [bucket(seq)],
      };
    };
    const feed = startLiveFeed({
      nc,
      liveSubject: subject,
      readSeed,
      log: createLogger("web", "error"),
      retryMs: 50,
    });
    const changes: number[] = [];
    feed.onChange((buckets) => changes.push(...buckets.map((b) => b.summary.count)));
    let reseeded = 0;
    feed.onReseed(() => reseeded++);
    await eventually(async () => (release ? true : undefined), 5_000, "the seed read");
    // A second subscription on the same connection: NATS delivers each publish to both before
    // the next one, so once the sentinel is here the feed has had every batch before it.
    const delivered = new Promise<void>((resolve) => {
      const probe = nc.subscribe(subject, {
        callback: (_error, message) => {
          if (message.string() !== "sentinel") return;
          probe.unsubscribe();
          resolve();
        },
      });
    });
    await nc.flush();
    for (const seq of [4, 5, 6, 7]) nc.publish(subject, JSON.stringify(batch(seq)));
    nc.publish(subject, "not json");
    nc.publish(subject, "sentinel");
    await delivered;
    expect(changes).toEqual([]); // held while the seed is read
    release?.();
    await feed.ready;
    expect(changes).toEqual([6, 7]);
    expect(feed.store.select("signups", "10s", false)[0]?.summary.count).toBe(7);
    expect(feed.store.totals().stored).toBe(7);

    // Batch 8 never arrives: 9 reveals the gap and the store is seeded again.
    nc.publish(subject, JSON.stringify(batch(9)));
    await eventually(async () => (reseeded === 1 ? true : undefined), 5_000, "a re-seed");
    expect(seeds).toHaveLength(2);
    expect(feed.store.select("signups", "10s", false)[0]?.summary.count).toBe(12);
    nc.publish(subject, JSON.stringify(batch(13)));
    await eventually(async () => (changes.at(-1) === 13 ? true : undefined), 5_000, "batch 13");
    feed.stop();
  });

  it("drops a malformed bucket of a batch or a seed and keeps the rest of it", async () => {
    const liveSubject = `${uniqueName("tfeed")}.live.events`;
    // What JSON makes of a sum that overflowed (Infinity → null), and an in-memory Infinity.
    const overflowed = { ...bucket(99), groupKey: "bad", summary: { ...countOnlySummary(99), sum: null } };
    const infinite: MetricBucket = {
      ...bucket(98),
      groupKey: "inf",
      summary: { ...countOnlySummary(98), sum: Infinity },
    };
    const feed = startLiveFeed({
      nc,
      liveSubject,
      readSeed: async () => ({
        consumers: { p: { batchSeq: 1, watermark: T, total: 1, tooLateTotal: 0 } },
        buckets: [infinite, { ...bucket(1), groupKey: "seeded" }],
      }),
      log: createLogger("web", "error"),
    });
    await feed.ready;
    const good = { ...bucket(2), bucketStart: T + 10_000 };
    nc.publish(liveSubject, JSON.stringify({ ...batch(2), buckets: [overflowed, good] }));
    await eventually(
      async () => (feed.store.select("signups", "10s", false).length === 1 ? true : undefined),
      5_000,
      "the good bucket of batch 2",
    );
    expect(feed.store.select("signups", "10s", false)[0]).toMatchObject({ bucketStart: T + 10_000 });
    expect(feed.store.select("signups", "10s", true).map((b) => b.groupKey)).toEqual(["seeded"]);
    expect(feed.store.totals().stored).toBe(2);
    feed.stop();
  });
});
