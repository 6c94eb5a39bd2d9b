import { jetstreamManager, type JetStreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import type pg from "pg";
import { natsNames } from "../config";
import type { PipelineStats } from "../contract";
import { pipelineRates, type PipelineSample } from "../core/pipeline-rates";
import { readPipelineCounters } from "../db/pipeline-queries";
import { errorFields, type Logger } from "../log";

export interface PipelineSamplerDeps {
  nc: NatsConnection;
  pool: pg.Pool;
  namespace: string;
  outOfOrdernessMs: number;
  log: Logger;
  intervalMs?: number;
  now?: () => number;
}

export interface PipelineSampler {
  latest(): PipelineStats | null;
  onSample(listener: (stats: PipelineStats) => void): void;
  stop(): void;
}

const HOUR_MS = 3_600_000;

/** JetStream numbers, or nulls while the stream or consumer does not exist yet. */
async function readJetStream(jsm: JetStreamManager, namespace: string) {
  const names = natsNames(namespace);
  const stream = await jsm.streams.info(names.stream).catch(() => null);
  const consumer = await jsm.consumers.info(names.stream, names.durable).catch(() => null);
  return {
    streamSeq: stream?.state.last_seq ?? null,
    pending: consumer ? consumer.num_pending : null,
    ackPending: consumer ? consumer.num_ack_pending : null,
  };
}

/**
 * Samples the pipeline every couple of seconds (stream growth, consumer lag, stored events,
 * dead letters of the last hour, too-late events) for the live page's pipeline panel.
 */
export function startPipelineSampler(deps: PipelineSamplerDeps): PipelineSampler {
  const now = deps.now ?? Date.now;
  const listeners: ((stats: PipelineStats) => void)[] = [];
  let latest: PipelineStats | null = null;
  let previous: PipelineSample | null = null;
  let jsm: JetStreamManager | undefined;
  let running = false;

  const sample = async () => {
    if (running) return;
    running = true;
    try {
      jsm ??= await jetstreamManager(deps.nc);
      const at = now();
      const [js, counters] = await Promise.all([
        readJetStream(jsm, deps.namespace),
        readPipelineCounters(deps.pool, at - HOUR_MS),
      ]);
      const current: PipelineSample = { at, streamSeq: js.streamSeq ?? 0, stored: counters.stored };
      const rates = pipelineRates(previous, current);
      previous = current;
      latest = {
        sampledAt: at,
        ingestRate: js.streamSeq === null ? null : rates.ingestRate,
        processingRate: rates.processingRate,
        consumerLag: js.pending,
        ackPending: js.ackPending,
        storedTotal: counters.stored,
        tooLateTotal: counters.tooLate,
        watermark:
          counters.maxEventTime === null ? null : Math.min(counters.maxEventTime, at) - deps.outOfOrdernessMs,
        deadLetters: counters.deadLetters,
      };
      for (const listener of listeners) listener(latest);
    } catch (error) {
      deps.log.warn("pipeline sample failed", errorFields(error));
    } finally {
      running = false;
    }
  };
  void sample();
  const timer = setInterval(() => void sample(), deps.intervalMs ?? 2_000);
  return {
    latest: () => latest,
    onSample: (listener) => void listeners.push(listener),
    stop: () => clearInterval(timer),
  };
}
