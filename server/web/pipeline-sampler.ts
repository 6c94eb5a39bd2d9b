import { jetstreamManager, type JetStreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import type pg from "pg";
import type { PipelineStats } from "../contract";
import { pipelineRates, type PipelineSample } from "../core/pipeline-rates";
import { readPipelineCounters } from "../db/pipeline-queries";
import { errorFields, type Logger } from "../log";
import type { ConnectionStatus } from "../nats/connection-status";
import { readJetStreamFacts, readProcessorProgress, type JetStreamFacts } from "./pipeline-health";

export interface PipelineSamplerDeps {
  nc: NatsConnection;
  natsStatus: ConnectionStatus;
  pool: pg.Pool;
  namespace: string;
  outOfOrdernessMs: number;
  /** NOWCAST_STALL_AFTER_MS */
  stallAfterMs: number;
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

/**
 * Samples the pipeline every couple of seconds (stream growth, consumer lag, stored events,
 * dead letters of the last hour, too-late events, whether the processor makes progress and
 * whether NATS is connected) for the live page's pipeline panel. While NATS is down the
 * JetStream figures are null and the panel says so.
 */
export function startPipelineSampler(deps: PipelineSamplerDeps): PipelineSampler {
  const now = deps.now ?? Date.now;
  const listeners: ((stats: PipelineStats) => void)[] = [];
  let latest: PipelineStats | null = null;
  let previous: PipelineSample | null = null;
  let jsm: JetStreamManager | undefined;
  let running = false;

  const jetStream = async (): Promise<JetStreamFacts | null> => {
    if (deps.natsStatus.state() !== "connected") return null;
    try {
      jsm ??= await jetstreamManager(deps.nc);
      return await readJetStreamFacts(jsm, deps.namespace);
    } catch {
      return null;
    }
  };

  const sample = async () => {
    if (running) return;
    running = true;
    try {
      const at = now();
      const [js, counters] = await Promise.all([jetStream(), readPipelineCounters(deps.pool, at - HOUR_MS)]);
      const progress = await readProcessorProgress(
        { pool: deps.pool, namespace: deps.namespace, stallAfterMs: deps.stallAfterMs, now: () => at },
        js,
      );
      const current: PipelineSample = { at, streamSeq: js?.streamSeq ?? 0, stored: counters.stored };
      const rates = pipelineRates(previous, current);
      previous = current;
      latest = {
        sampledAt: at,
        ingestRate: js?.streamSeq == null ? null : rates.ingestRate,
        processingRate: rates.processingRate,
        consumerLag: js?.pending ?? null,
        ackPending: js?.ackPending ?? null,
        storedTotal: counters.stored,
        tooLateTotal: counters.tooLate,
        watermark:
          counters.maxEventTime === null ? null : Math.min(counters.maxEventTime, at) - deps.outOfOrdernessMs,
        processor: progress,
        nats: deps.natsStatus.state(),
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
