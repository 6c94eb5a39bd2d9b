import { jetstream, type ConsumerMessages, type JsMsg } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import type pg from "pg";
import { natsNames } from "../config";
import type { MetricDefinition } from "../contract";
import { watermarkOf, type Clock, type TimeSettings } from "../core/engine";
import { oldestCountedTime } from "../core/counted-window";
import { LiveWindows } from "../core/live-windows";
import { commitBatch, readClock } from "../db/event-store";
import { rebuildLiveWindows } from "../db/live-rebuild";
import { DimensionCache, type DimensionCacheOptions } from "../db/dimensions";
import { loadDefinitions } from "../db/metric-definitions";
import { errorFields, type Logger } from "../log";
import { ensureProcessorConsumer, setupEventStream } from "../nats/streams";
import { Batcher } from "./batcher";
import { startIdleAdvance } from "./idle";
import {
  commitPlanned,
  planCommit,
  prepareBatch,
  type Delivered,
  type PipelinePorts,
  type PreparedBatch,
} from "./pipeline";
import { commitIsolating, enrichIsolating, type OnRejected } from "./poison";
import { retryingUntil, serial } from "./retry";

export interface ProcessorOptions {
  namespace: string;
  dedupWindowSeconds: number;
  batchSize: number;
  batchWaitMs: number;
  maxInFlight: number;
  time: TimeSettings;
  /** With nothing delivered or pending this long, event time follows the processing clock. */
  idleTimeoutMs: number;
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
    // No reason text: NATS 2.9 does not parse "+TERM <reason>" and would ignore the term.
    term: () => message.term(),
    working: () => message.working(),
  };
}

/**
 * Pulls from the durable consumer, commits batches and acks them. While Postgres is
 * unavailable the current batch is retried with back-off (its messages kept alive with
 * `working()`), reading stops, and nothing is acked: no loss, and no unbounded queue. A
 * message Postgres refuses for its content is dead-lettered and terminated (poison.ts).
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
  const now = deps.now ?? Date.now;
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
  let committedClock: Clock = await readClock(pool, durable);
  let lastActivityAt = now();
  let definitions: readonly MetricDefinition[] = [];
  const refreshDefinitions = async () => {
    const loaded = await loadDefinitions(pool);
    for (const bad of loaded.invalid) log.warn("skipping invalid metric definition", bad);
    definitions = loaded.definitions;
  };
  await refreshDefinitions();
  const dimensions = new DimensionCache(pool, log, options.dimensions);
  const live = new LiveWindows();
  const resumeWatermark = watermarkOf(committedClock, options.time, now());
  const rebuilt = await rebuildLiveWindows(pool, live, definitions, resumeWatermark);
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
    now,
    commit: (batch) => commitBatch(pool, batch),
    publishLive: (batch) => nc.publish(liveSubject, JSON.stringify(batch)),
  };
  const onRejected: OnRejected = (item, failure) =>
    log.warn("dead-lettered a message Postgres cannot store", {
      seq: item.message.seq,
      subject: item.message.subject,
      sqlstate: failure.sqlstate,
      error: failure.message,
    });
  const retrying = retryingUntil(() => stopping, log);
  // Batch commits and idle advances change the clock one at a time.
  const exclusive = serial();
  const keepAlive = (batch: readonly { message: Delivered }[]) => () => {
    for (const { message } of batch) message.working();
  };
  const batcher = new Batcher<Delivered, PreparedBatch>({
    maxSize: options.batchSize,
    maxWaitMs: options.batchWaitMs,
    prepare: (batch) =>
      retrying(
        "prepare",
        batch.length,
        () => prepareBatch(ports, batch, (items) => enrichIsolating(ports, items, onRejected)),
        keepAlive(batch.map((message) => ({ message }))),
      ),
    // Classified at commit time from the committed clock, so a dead-lettered event's time
    // never reaches the next batch's verdicts.
    handle: (prepared) =>
      exclusive(async () => {
        committedClock = await retrying(
          "commit",
          prepared.items.length,
          () => commitIsolating(ports, committedClock, prepared.items, prepared.receivedAt, onRejected),
          keepAlive(prepared.items),
        );
      }),
  });
  const idle = startIdleAdvance({
    idleTimeoutMs: options.idleTimeoutMs,
    now,
    quiet: () => !stopping && batcher.idle,
    nothingPending: async () => {
      const info = await consumer.info(false);
      return info.num_pending === 0 && info.num_ack_pending === 0;
    },
    clock: () => committedClock,
    lastActivityAt: () => lastActivityAt,
    commit: (advanced) =>
      exclusive(async () => {
        const at = now();
        // Still due? A message may have arrived while JetStream was asked.
        if (!batcher.idle || advanced.maxEventTime === null || at - lastActivityAt < options.idleTimeoutMs)
          return;
        const planned = planCommit(ports, { maxEventTime: at }, [], at, at);
        committedClock = (await commitPlanned(ports, planned)).clock;
        lastActivityAt = at;
        log.debug("idle stream: watermark advanced", {
          watermark: watermarkOf(committedClock, options.time),
        });
      }),
    log,
  });

  const run = async () => {
    while (!stopping) {
      try {
        messages = await consumer.consume({ max_messages: options.maxInFlight });
        void logPullTrouble(messages, log);
        for await (const message of messages) {
          lastActivityAt = now();
          await batcher.add(adapt(message));
        }
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
      idle.stop();
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

/** What a pull consumer reports that explains a stall (missed heartbeats, a lost consumer). */
const PULL_TROUBLE = new Set([
  "heartbeats_missed",
  "consumer_not_found",
  "stream_not_found",
  "consumer_deleted",
  "exceeded_limits",
  "no_responders",
  "reset",
]);

/** Logs the pull's own notifications as warnings, so a stalled read says why in the role's log. */
async function logPullTrouble(messages: ConsumerMessages, log: Logger): Promise<void> {
  try {
    for await (const status of messages.status())
      if (PULL_TROUBLE.has(status.type)) log.warn("pull consumer notification", { ...status });
  } catch {
    // The iterator ends with the messages; nothing to report then.
  }
}
