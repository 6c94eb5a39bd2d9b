import type { LiveBatch, MetricDefinition, ValidEvent } from "../contract";
import { summarize } from "../core/aggregate-state";
import {
  bucketStatus,
  classifyBatch,
  metricDeltas,
  watermarkOf,
  type Clock,
  type TimeSettings,
} from "../core/engine";
import { LIVE_BUCKET_MS, type LiveWindows } from "../core/live-windows";
import { dedupeById, perSecondRates } from "../core/event-counts";
import { MINUTE_MS } from "../core/time";
import type { BatchCommit, BatchResult, ClassifiedEvent, DeadLetterRecord } from "../db/event-store";
import { decodeMessage, type DecodeContext, type InboundMessage } from "./decode";

/** A delivered message the pipeline can acknowledge. */
export interface Delivered extends InboundMessage {
  ack(): void;
  /** Tells JetStream the message is still being worked on (extends its ack deadline). */
  working(): void;
}

/** The ports the pipeline drives; real adapters in processor.ts, twins in tests. */
export interface PipelinePorts {
  consumer: string;
  stream: string;
  subjectPrefix: string;
  /** Subject of ingest's rejected inputs (stored as `http` dead letters). */
  rejectionSubject?: string;
  /** Oldest event time that can still be counted at `now`; older ones are dead letters (ts_too_old). */
  oldestCountedTs?(now: number): number;
  settings: TimeSettings;
  now(): number;
  definitions(): readonly MetricDefinition[];
  /** Adds dimension attrs (server/core/enrich.ts); may read Postgres. */
  enrich(events: ValidEvent[]): Promise<ValidEvent[]>;
  commit(batch: BatchCommit): Promise<BatchResult>;
  /** The in-memory 10 s tier. */
  live: LiveWindows;
  publishLive(batch: LiveBatch): void;
}

export interface BatchOutcome {
  result: BatchResult;
  deadLetters: number;
  clock: Clock;
}

function decodeAll(ports: PipelinePorts, messages: Delivered[], now: number) {
  const events: ValidEvent[] = [];
  const deadLetters: DeadLetterRecord[] = [];
  let streamSeq = 0;
  const context: DecodeContext = {
    stream: ports.stream,
    subjectPrefix: ports.subjectPrefix,
    now,
    ...(ports.rejectionSubject ? { rejectionSubject: ports.rejectionSubject } : {}),
    ...(ports.oldestCountedTs ? { oldestCountedTs: ports.oldestCountedTs(now) } : {}),
  };
  for (const message of messages) {
    streamSeq = Math.max(streamSeq, message.seq);
    const decoded = decodeMessage(message, context);
    if (decoded.kind === "event") events.push(decoded.event);
    else deadLetters.push(decoded.letter);
  }
  return { events, deadLetters, streamSeq };
}

/** A batch decoded, enriched and classified, ready to commit. */
export interface PreparedBatch {
  messages: Delivered[];
  commit: BatchCommit;
  /** The consumer's clock once this batch is committed. */
  clock: Clock;
  /** The clock before this batch: what viewers have seen as final so far. */
  previousClock: Clock;
  deadLetters: number;
}

/**
 * validate → enrich → classify by event time. Pure but for enrichment lookups; the result only
 * depends on the messages, the clock passed in and the dimension rows, so it can run while the
 * previous batch commits.
 */
export async function prepareBatch(
  ports: PipelinePorts,
  clock: Clock,
  messages: Delivered[],
): Promise<PreparedBatch> {
  const now = ports.now();
  const decoded = decodeAll(ports, messages, now);
  // Within one batch a repeated id is stored once: the first delivery wins. Dropping the later
  // copies first cannot change any verdict: they repeat a time already seen.
  const events = await ports.enrich(dedupeById(decoded.events));
  const classified = classifyBatch(clock, events, ports.settings);
  return {
    messages,
    clock: classified.clock,
    previousClock: clock,
    deadLetters: decoded.deadLetters.length,
    commit: {
      consumer: ports.consumer,
      streamSeq: decoded.streamSeq,
      events: events.map((event, i): ClassifiedEvent => ({
        event,
        lateness: classified.lateness[i] ?? "on_time",
      })),
      deadLetters: decoded.deadLetters,
      receivedAt: now,
      clock: classified.clock,
      definitions: ports.definitions(),
    },
  };
}

/**
 * commit (one transaction) → ack → publish live. Acks only after the commit, so a crash
 * anywhere before it leads to redelivery, which the commit absorbs (exactly-once out).
 */
export async function commitPrepared(ports: PipelinePorts, prepared: PreparedBatch): Promise<BatchOutcome> {
  const result = await ports.commit(prepared.commit);
  for (const message of prepared.messages) message.ack();
  const watermark = watermarkOf(prepared.clock, ports.settings);
  const counted = result.inserted.filter((row) => row.lateness !== "too_late");
  const tenSecond = ports.live.apply(
    metricDeltas(prepared.commit.definitions, counted, LIVE_BUCKET_MS),
    watermark,
    watermarkOf(prepared.previousClock, ports.settings),
  );
  ports.publishLive({
    consumer: ports.consumer,
    batchSeq: result.batchSeq,
    total: result.total,
    tooLateTotal: result.tooLateTotal,
    watermark,
    rates: perSecondRates(result.inserted.map((row) => row.event)),
    buckets: [
      ...tenSecond.map((b) => ({
        metric: b.metric,
        resolution: "10s" as const,
        bucketStart: b.bucketStart,
        groupKey: b.groupKey,
        state: b.status,
        summary: summarize(b.state),
      })),
      ...result.buckets.map((b) => ({
        metric: b.metric,
        resolution: "1m" as const,
        bucketStart: b.bucketStart,
        groupKey: b.groupKey,
        state: bucketStatus(b.bucketStart, MINUTE_MS, watermark, b.revisions > 0),
        summary: summarize(b.state),
      })),
    ],
    committedAt: ports.now(),
  });
  return { result, deadLetters: prepared.deadLetters, clock: prepared.clock };
}
