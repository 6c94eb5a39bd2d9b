import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import {
  parseBuckets,
  parseLiveBatch,
  type DroppedBucket,
  type LiveBatch,
  type MetricBucket,
} from "../contract";
import { LiveStore, type LiveSeed } from "../core/live-store";
import { errorFields, type Logger } from "../log";

export interface LiveFeedDeps {
  nc: NatsConnection;
  liveSubject: string;
  /** Reads a consistent starting point (checkpoints + buckets) from Postgres. */
  readSeed: () => Promise<LiveSeed>;
  log: Logger;
  retryMs?: number;
  /** Groups kept per bucket start (default the live view's 20; the alerter keeps its group cap). */
  groupLimit?: number;
}

export interface LiveFeed {
  store: LiveStore;
  /** Resolves once the store holds a seed (the first one; re-seeds do not block readers). */
  ready: Promise<void>;
  /** Buckets changed by an applied batch. */
  onChange(listener: (buckets: readonly MetricBucket[]) => void): void;
  /** The store was re-seeded after a gap: every bucket may have changed. */
  onReseed(listener: () => void): void;
  stop(): void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Keeps a LiveStore current from the processors' batches on core NATS. Subscribes first and
 * buffers, then seeds from Postgres, then applies the buffer: batches the seed already holds
 * are dropped by sequence, so nothing is lost or counted twice. A skipped sequence (a lost
 * NATS message) triggers a re-seed.
 */
export function startLiveFeed(deps: LiveFeedDeps): LiveFeed {
  const { log } = deps;
  const store = new LiveStore(deps.groupLimit);
  const changeListeners: ((buckets: readonly MetricBucket[]) => void)[] = [];
  const reseedListeners: (() => void)[] = [];
  // Batches that arrive while a seed is read; null while batches are applied directly.
  let buffer: LiveBatch[] | null = [];
  let seeding = false;
  let stopped = false;
  let seeded = false;
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));

  // One malformed bucket (e.g. a non-finite figure) is dropped and logged, not its whole batch.
  const warnDropped = (where: string, dropped: readonly DroppedBucket[]) => {
    if (dropped.length > 0)
      log.warn("dropped malformed live buckets", { where, count: dropped.length, first: dropped[0]?.issue });
  };

  const apply = (batch: LiveBatch) => {
    const outcome = store.apply(batch);
    if (outcome.kind === "stale") return;
    for (const listener of changeListeners) listener(outcome.touched);
    if (outcome.kind === "gap") {
      log.warn("live batch sequence gap; re-seeding", { consumer: batch.consumer, batchSeq: batch.batchSeq });
      void reseed();
    }
  };

  const reseed = async () => {
    if (seeding) return;
    seeding = true;
    buffer ??= [];
    while (!stopped) {
      try {
        const seed = await deps.readSeed();
        const buckets = parseBuckets(seed.buckets);
        warnDropped("seed", buckets.dropped);
        store.seed({ ...seed, buckets: buckets.value });
        break;
      } catch (error) {
        log.warn("could not read the live seed; retrying", errorFields(error));
        await sleep(deps.retryMs ?? 2_000);
      }
    }
    const pending = buffer ?? [];
    buffer = null;
    seeding = false;
    if (seeded) for (const listener of reseedListeners) listener();
    seeded = true;
    markReady();
    for (const batch of pending) apply(batch);
  };

  const subscription: Subscription = deps.nc.subscribe(deps.liveSubject, {
    callback: (error, message) => {
      if (error) return log.warn("live subscription error", errorFields(error));
      let body: unknown;
      try {
        body = message.json();
      } catch {
        body = undefined;
      }
      const parsed = parseLiveBatch(body);
      if (!parsed) return log.warn("ignored malformed live batch", { subject: message.subject });
      warnDropped(`batch ${parsed.value.consumer}#${parsed.value.batchSeq}`, parsed.dropped);
      if (buffer) buffer.push(parsed.value);
      else apply(parsed.value);
    },
  });
  // The subscription must be registered at the server before the seed is read.
  void deps.nc
    .flush()
    .catch(() => undefined)
    .then(() => reseed());

  return {
    store,
    ready,
    onChange: (listener) => void changeListeners.push(listener),
    onReseed: (listener) => void reseedListeners.push(listener),
    stop() {
      stopped = true;
      subscription.unsubscribe();
    },
  };
}
