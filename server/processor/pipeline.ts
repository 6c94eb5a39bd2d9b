import type { LiveBatch } from "../contract";
import { perSecondRates } from "../core/event-counts";
import type { BatchCommit, BatchResult, DeadLetterRecord } from "../db/event-store";
import type { ValidEvent } from "../contract";
import { decodeMessage, type InboundMessage } from "./decode";

/** A delivered message the pipeline can acknowledge. */
export interface Delivered extends InboundMessage {
  ack(): void;
  /** Tells JetStream the message is still being worked on (extends its ack deadline). */
  working(): void;
}

/** The ports the pipeline drives; real adapters in main.ts, twins in tests. */
export interface PipelinePorts {
  consumer: string;
  stream: string;
  subjectPrefix: string;
  now(): number;
  commit(batch: BatchCommit): Promise<BatchResult>;
  publishLive(batch: LiveBatch): void;
}

export interface BatchOutcome {
  result: BatchResult;
  deadLetters: number;
}

/**
 * validate → commit (one transaction) → ack → publish live. Acks only after the commit, so a
 * crash anywhere before it leads to redelivery, which the commit absorbs (exactly-once out).
 */
export async function processBatch(ports: PipelinePorts, messages: Delivered[]): Promise<BatchOutcome> {
  const now = ports.now();
  const events: ValidEvent[] = [];
  const deadLetters: DeadLetterRecord[] = [];
  let streamSeq = 0;
  for (const message of messages) {
    streamSeq = Math.max(streamSeq, message.seq);
    const decoded = decodeMessage(message, { stream: ports.stream, subjectPrefix: ports.subjectPrefix, now });
    if (decoded.kind === "event") events.push(decoded.event);
    else deadLetters.push(decoded.letter);
  }
  const result = await ports.commit({
    consumer: ports.consumer,
    streamSeq,
    events,
    deadLetters,
    receivedAt: now,
  });
  for (const message of messages) message.ack();
  ports.publishLive({
    consumer: ports.consumer,
    batchSeq: result.batchSeq,
    total: result.total,
    rates: perSecondRates(result.inserted),
    committedAt: ports.now(),
  });
  return { result, deadLetters: deadLetters.length };
}
