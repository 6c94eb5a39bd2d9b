import type { JetStreamManager, StreamInfo } from "@nats-io/jetstream";
import type pg from "pg";
import { natsNames } from "../config";
import type { HealthResponse } from "../contract";
import { processorProgress, type ProcessorProgress, type ProgressFacts } from "../core/health";
import { readCheckpointAge } from "../db/pipeline-queries";
import type { ConnectionStatus } from "../nats/connection-status";
import { isNotFound } from "../nats/streams";

/** What JetStream says about the stream and the processor's consumer. */
export interface JetStreamFacts {
  streamSeq: number | null;
  /** Not yet delivered (`num_pending`) and delivered but unacked (`num_ack_pending`). */
  pending: number | null;
  ackPending: number | null;
  consumerExists: boolean;
  waiting: number;
  oldestWaitingAt: number | null;
}

const nullIfNotFound = (error: unknown) => {
  if (isNotFound(error)) return null;
  throw error;
};

async function storedAt(jsm: JetStreamManager, stream: StreamInfo, seq: number): Promise<number | null> {
  const at = Math.max(seq, stream.state.first_seq);
  const message = await jsm.streams.getMessage(stream.config.name, { seq: at }).catch(() => null);
  return message ? message.time.getTime() : null;
}

/** Reads the stream and the consumer; throws while JetStream cannot be asked. */
export async function readJetStreamFacts(jsm: JetStreamManager, namespace: string): Promise<JetStreamFacts> {
  const names = natsNames(namespace);
  const stream = await jsm.streams.info(names.stream).catch(nullIfNotFound);
  const none = { pending: null, ackPending: null, consumerExists: false };
  if (!stream) return { streamSeq: null, ...none, waiting: 0, oldestWaitingAt: null };
  const consumer = await jsm.consumers.info(names.stream, names.durable).catch(nullIfNotFound);
  if (!consumer) {
    const waiting = stream.state.messages;
    const oldest = waiting > 0 ? Date.parse(stream.state.first_ts) : Number.NaN;
    return {
      streamSeq: stream.state.last_seq,
      ...none,
      waiting,
      oldestWaitingAt: Number.isFinite(oldest) ? oldest : null,
    };
  }
  const waiting = consumer.num_pending + consumer.num_ack_pending;
  return {
    streamSeq: stream.state.last_seq,
    pending: consumer.num_pending,
    ackPending: consumer.num_ack_pending,
    consumerExists: true,
    waiting,
    // Everything below the ack floor is done; the next one is the oldest still waiting.
    oldestWaitingAt: waiting > 0 ? await storedAt(jsm, stream, consumer.ack_floor.stream_seq + 1) : null,
  };
}

export interface PipelineHealthDeps {
  pool: pg.Pool;
  jsm: JetStreamManager;
  natsStatus: ConnectionStatus;
  namespace: string;
  /** NOWCAST_STALL_AFTER_MS */
  stallAfterMs: number;
  now(): number;
}

/** The processor's progress from JetStream facts (or none when it cannot be asked) and its checkpoint. */
export async function readProcessorProgress(
  deps: Pick<PipelineHealthDeps, "pool" | "namespace" | "stallAfterMs" | "now">,
  js: JetStreamFacts | null,
): Promise<ProcessorProgress> {
  const checkpointAgeMs = await readCheckpointAge(deps.pool, natsNames(deps.namespace).durable);
  const facts: ProgressFacts = js
    ? {
        waiting: js.waiting,
        oldestWaitingAt: js.oldestWaitingAt,
        checkpointAgeMs,
        consumerExists: js.consumerExists,
      }
    : { waiting: null, oldestWaitingAt: null, checkpointAgeMs, consumerExists: false };
  return processorProgress(facts, deps.now(), deps.stallAfterMs);
}

const failed = (detail: string) => ({ ok: false, detail });

/**
 * `GET /api/health`: Postgres answers, the NATS connection is up (not disconnected or
 * reconnecting), and the processor is making progress. Any failing check makes it `degraded`.
 */
export async function checkHealth(deps: PipelineHealthDeps): Promise<HealthResponse> {
  const checks: HealthResponse["checks"] = {};
  const postgres = await deps.pool.query("SELECT 1").then(
    () => true,
    () => false,
  );
  checks.postgres = postgres ? { ok: true } : failed("not reachable");
  const nats = deps.natsStatus.state();
  checks.nats =
    nats === "connected"
      ? { ok: true }
      : failed(`connection ${nats} since ${new Date(deps.natsStatus.since()).toISOString()}`);
  if (nats !== "connected") checks.processor = failed("not checked: NATS is down");
  else if (!postgres) checks.processor = failed("not checked: Postgres is down");
  else {
    const js = await readJetStreamFacts(deps.jsm, deps.namespace).catch(() => null);
    const progress = await readProcessorProgress(deps, js).catch(() => null);
    checks.processor = !progress
      ? failed("not checked: its checkpoint cannot be read")
      : progress.state === "idle" || progress.state === "progressing"
        ? { ok: true, detail: `${progress.state}: ${progress.detail}` }
        : failed(`${progress.state}: ${progress.detail}`);
  }
  const ok = Object.values(checks).every((check) => check.ok);
  return { status: ok ? "ok" : "degraded", checks };
}
