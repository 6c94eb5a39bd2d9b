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
import type { BatchCommit, ClassifiedEvent, DeadLetterRecord } from "../core/batch";
import type { BatchResult } from "../db/event-store";
import { decodeMessage, type DecodeContext, type InboundMessage } from "./decode";

/** A delivered message the pipeline can acknowledge. */
export interface Delivered extends InboundMessage {
  ack(): void;
  /** Tells JetStream never to deliver the message again (it was dead-lettered as unstorable). */
  term(): void;
  /** Tells JetStream the message is still being worked on (extends its ack deadline). */
  working(): void;
}

/** The ports the pipeline drives; real adapters in processor.ts, twins in server/testing/pipeline-twins.ts. */
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

/**
 * One delivered message, decoded (and enriched when valid). `terminate` marks a dead letter
 * whose message is terminated in JetStream after its commit instead of acked.
 */
export type PreparedItem =
  | { message: Delivered; kind: "event"; event: ValidEvent }
  | { message: Delivered; kind: "dead"; letter: DeadLetterRecord; terminate?: boolean };

/** A batch decoded and enriched: what is left to do depends only on the clock. */
export interface PreparedBatch {
  items: PreparedItem[];
  receivedAt: number;
}

/** Part of a batch classified from a clock, ready to commit. */
export interface PlannedCommit {
  items: readonly PreparedItem[];
  commit: BatchCommit;
  /** The consumer's clock once this is committed. */
  clock: Clock;
  /** The clock before it: what viewers have seen as final so far. */
  previousClock: Clock;
}

export interface BatchOutcome {
  result: BatchResult;
  clock: Clock;
}

/**
 * validate → enrich, per message. Pure but for enrichment lookups, so it can run while the
 * previous batch commits; classification waits for the commit (it needs the committed clock).
 * `enrich` decides how an enrichment failure is handled (see poison.ts).
 */
export async function prepareBatch(
  ports: PipelinePorts,
  messages: readonly Delivered[],
  enrich: (items: PreparedItem[]) => Promise<PreparedItem[]> = (items) => enrichItems(ports, items),
): Promise<PreparedBatch> {
  const receivedAt = ports.now();
  const context: DecodeContext = {
    stream: ports.stream,
    subjectPrefix: ports.subjectPrefix,
    now: receivedAt,
    ...(ports.rejectionSubject ? { rejectionSubject: ports.rejectionSubject } : {}),
    ...(ports.oldestCountedTs ? { oldestCountedTs: ports.oldestCountedTs(receivedAt) } : {}),
  };
  const items = messages.map((message): PreparedItem => {
    const decoded = decodeMessage(message, context);
    return decoded.kind === "event"
      ? { message, kind: "event", event: decoded.event }
      : { message, kind: "dead", letter: decoded.letter };
  });
  return { items: await enrich(items), receivedAt };
}

/** Enriches the valid events of `items` with one lookup (order kept). */
export async function enrichItems(ports: PipelinePorts, items: PreparedItem[]): Promise<PreparedItem[]> {
  const events = items.flatMap((item) => (item.kind === "event" ? [item.event] : []));
  if (events.length === 0) return items;
  const enriched = await ports.enrich(events);
  let next = 0;
  return items.map((item) => {
    if (item.kind !== "event") return item;
    const event = enriched[next++];
    if (!event) throw new Error("enrichment returned fewer events than it was given");
    return { ...item, event };
  });
}

/**
 * Classifies `items` in delivery order from `clock` at processing time `now`. Within them a
 * repeated id is stored once, the first delivery wins; dropping the later copies first cannot
 * change a verdict (they repeat a time already seen).
 */
export function planCommit(
  ports: PipelinePorts,
  clock: Clock,
  items: readonly PreparedItem[],
  receivedAt: number,
  now: number,
): PlannedCommit {
  const events = dedupeById(items.flatMap((item) => (item.kind === "event" ? [item.event] : [])));
  const classified = classifyBatch(clock, events, ports.settings, now);
  return {
    items,
    clock: classified.clock,
    previousClock: clock,
    commit: {
      consumer: ports.consumer,
      streamSeq: items.reduce((max, item) => Math.max(max, item.message.seq), 0),
      events: events.map((event, i): ClassifiedEvent => ({
        event,
        lateness: classified.lateness[i] ?? "on_time",
      })),
      deadLetters: items.flatMap((item) => (item.kind === "dead" ? [item.letter] : [])),
      receivedAt,
      clock: classified.clock,
      definitions: ports.definitions(),
    },
  };
}

/**
 * commit (one transaction) → ack (or terminate) → publish live. Acks only after the commit,
 * so a crash anywhere before it leads to redelivery, which the commit absorbs (exactly-once).
 */
export async function commitPlanned(ports: PipelinePorts, planned: PlannedCommit): Promise<BatchOutcome> {
  const result = await ports.commit(planned.commit);
  for (const item of planned.items) {
    if (item.kind === "dead" && item.terminate) item.message.term();
    else item.message.ack();
  }
  ports.publishLive(liveBatchOf(ports, planned, result));
  return { result, clock: planned.clock };
}

function liveBatchOf(ports: PipelinePorts, planned: PlannedCommit, result: BatchResult): LiveBatch {
  const watermark = watermarkOf(planned.clock, ports.settings);
  const counted = result.inserted.filter((row) => row.lateness !== "too_late");
  const tenSecond = ports.live.apply(
    metricDeltas(planned.commit.definitions, counted, LIVE_BUCKET_MS),
    watermark,
    watermarkOf(planned.previousClock, ports.settings),
  );
  return {
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
  };
}
