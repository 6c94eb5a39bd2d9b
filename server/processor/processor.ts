import { jetstream, type ConsumerMessages, type JsMsg } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import type pg from "pg";
import { natsNames } from "../config";
import type { MetricDefinition } from "../contract";
import type { Clock, TimeSettings } from "../core/engine";
import { oldestCountedTime } from "../core/counted-window";
import { commitBatch, readClock } from "../db/event-store";
import { LiveWindows } from "../core/live-windows";
import { watermarkOf } from "../core/engine";
import { rebuildLiveWindows } from "../db/live-rebuild";
import { DimensionCache, type DimensionCacheOptions } from "../db/dimensions";
import { loadDefinitions } from "../db/metric-definitions";
import { errorFields, type Logger } from "../log";
import { ensureProcessorConsumer, setupEventStream } from "../nats/streams";
import { Batcher } from "./batcher";
import {
  commitPrepared,
  prepareBatch,
  type Delivered,
  type PipelinePorts,
  type PreparedBatch,
} from "./pipeline";

export interface ProcessorOptions {
  namespace: string;
  dedupWindowSeconds: number;
  batchSize: number;
  batchWaitMs: number;
  maxInFlight: number;
  time: TimeSettings;
  definitionsRefreshMs: number;
  dimensions?: DimensionCacheOptions;
  /** Redelivery delay for unacked messages (default 30 s). */
  ackWaitMs?: number;
  /** RECONCILE_WINDOW_DAYS: older events are dead-lettered (ts_too_old); unset, none are. */
  reconcileWindowDays?: number;
}

export interface Processor {
  /** Resolves when the processor has stopped. */
  done: Promise<void>;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function adapt(message: JsMsg): Delivered {
  return {
    subject: message.subject,
    data: message.data,
    seq: message.seq,
    ack: () => message.ack(),
    working: () => message.working(),
  };
}

/**
 * Pulls from the durable consumer, commits batches and acks them. While Postgres is
 * unavailable the current batch is retried with back-off (its messages kept alive with
 * `working()`), reading stops, and nothing is acked: no loss, and no unbounded queue.
 */
export async function startProcessor(
  deps: {
    nc: NatsConnection;
    pool: pg.Pool;
    log: Logger;
    now?: () => number;
    /** Connection for LISTEN (dimension changes); without it the cache relies on its TTL. */
    databaseUrl?: string;
  },
  options: ProcessorOptions,
): Promise<Processor> {
  const { nc, pool, log } = deps;
  const names = natsNames(options.namespace);
  const jsm = await setupEventStream(nc, {
    namespace: options.namespace,
    dedupWindowSeconds: options.dedupWindowSeconds,
  });
  const durable = await ensureProcessorConsumer(jsm, options.namespace, {
    maxAckPending: options.maxInFlight * 2,
    ...(options.ackWaitMs ? { ackWaitMs: options.ackWaitMs } : {}),
  });
  const consumer = await jetstream(nc).consumers.get(names.stream, durable);
  const liveSubject = `${names.liveSubjectPrefix}.events`;
  let stopping = false;
  let messages: ConsumerMessages | undefined;
  // Resume event time where the last commit left it, so lateness verdicts survive restarts.
  const clock: Clock = await readClock(pool, durable);
  let definitions: readonly MetricDefinition[] = [];
  const refreshDefinitions = async () => {
    const loaded = await loadDefinitions(pool);
    for (const bad of loaded.invalid) log.warn("skipping invalid metric definition", bad);
    definitions = loaded.definitions;
  };
  await refreshDefinitions();
  const dimensions = new DimensionCache(pool, log, options.dimensions);
  const live = new LiveWindows();
  const rebuilt = await rebuildLiveWindows(pool, live, definitions, watermarkOf(clock, options.time));
  if (rebuilt > 0)
    log.info("rebuilt the 10 s live tier from stored events", { events: rebuilt, states: live.size });
  if (deps.databaseUrl) await dimensions.listen(deps.databaseUrl);
  const refresher = setInterval(
    () =>
      void refreshDefinitions().catch((error: unknown) =>
        log.warn("could not reload metric definitions", errorFields(error)),
      ),
    options.definitionsRefreshMs,
  );

  const ports: PipelinePorts = {
    consumer: durable,
    stream: names.stream,
    subjectPrefix: names.eventSubjectPrefix,
    rejectionSubject: names.httpRejectionSubject,
    ...(options.reconcileWindowDays === undefined
      ? {}
      : { oldestCountedTs: (now: number) => oldestCountedTime(now, options.reconcileWindowDays ?? 0) }),
    settings: options.time,
    definitions: () => definitions,
    enrich: (events) => dimensions.enrich(events),
    live,
    now: deps.now ?? Date.now,
    commit: (batch) => commitBatch(pool, batch),
    publishLive: (batch) => nc.publish(liveSubject, JSON.stringify(batch)),
  };

  // Retried until it works or the processor stops: a batch is never skipped, and nothing is
  // acked before its commit. Postgres being down shows up here (enrichment or commit).
  const retrying = async <R>(
    what: string,
    size: number,
    work: () => Promise<R>,
    keepAlive: () => void,
  ): Promise<R> => {
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await work();
        if (attempt > 1) log.info(`${what} succeeded again`, { attempt });
        return result;
      } catch (error) {
        if (stopping) throw error;
        log.warn(`${what} failed; retrying without ack`, { attempt, size, ...errorFields(error) });
        keepAlive();
        await sleep(Math.min(5_000, 100 * 2 ** Math.min(attempt, 6)));
      }
    }
  };
  // The clock after the last prepared batch: batch k+1 is classified while batch k commits.
  let preparedClock: Clock = clock;
  const keepAlive = (messages: Delivered[]) => () => {
    for (const message of messages) message.working();
  };
  const batcher = new Batcher<Delivered, PreparedBatch>({
    maxSize: options.batchSize,
    maxWaitMs: options.batchWaitMs,
    prepare: async (batch) => {
      const prepared = await retrying(
        "prepare",
        batch.length,
        () => prepareBatch(ports, preparedClock, batch),
        keepAlive(batch),
      );
      preparedClock = prepared.clock;
      return prepared;
    },
    handle: async (prepared) => {
      const outcome = await retrying(
        "commit",
        prepared.messages.length,
        () => commitPrepared(ports, prepared),
        keepAlive(prepared.messages),
      );
      log.debug("batch committed", {
        size: prepared.messages.length,
        inserted: outcome.result.inserted.length,
      });
    },
  });

  const run = async () => {
    while (!stopping) {
      try {
        messages = await consumer.consume({ max_messages: options.maxInFlight });
        for await (const message of messages) await batcher.add(adapt(message));
      } catch (error) {
        if (!stopping) log.warn("consume loop interrupted; restarting", errorFields(error));
      }
      if (!stopping) await sleep(1_000);
    }
  };
  log.info("processor started", { stream: names.stream, durable });
  const done = run();

  return {
    done,
    async stop() {
      stopping = true;
      clearInterval(refresher);
      await dimensions.close();
      await messages?.close().catch(() => undefined);
      await batcher
        .drain()
        .catch((error: unknown) => log.warn("final batch not committed", errorFields(error)));
      await done;
    },
  };
}
