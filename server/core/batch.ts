import type { MetricDefinition, Reason, ValidEvent } from "../contract";
import { metricDeltas, type Clock, type Lateness, type MetricDelta } from "./engine";
import { eventCountDeltas, type RollupDelta } from "./event-counts";

/** A rejected input as stored in dead_letters. */
export interface DeadLetterRecord {
  /** How it arrived: published on NATS, or sent to POST /api/ingest. */
  source: "http" | "nats";
  /** "<stream>:<seq>" of the message that carried it, so a redelivery stores it once. */
  dedupKey?: string;
  subject?: string;
  /** The id as far as it could be read, rendered storable (server/contract/text.ts). */
  eventId?: string;
  reasons: Reason[];
  /** The exact bytes received (stored up to MAX_KEPT_PAYLOAD_BYTES). */
  payload: Uint8Array;
  /** Size as received when `payload` holds only its first bytes (HTTP rejections). */
  payloadSize?: number;
  /** When the input was received, if not now (HTTP rejections travel through the stream). */
  receivedAt?: number;
}

/** An event with its event-time verdict (server/core/engine.ts). */
export interface ClassifiedEvent {
  event: ValidEvent;
  lateness: Lateness;
}

/** Everything one processor batch changes, committed atomically. */
export interface BatchCommit {
  consumer: string;
  /** Highest stream sequence in the batch. */
  streamSeq: number;
  /** Valid events in delivery order, without repeated ids. */
  events: ClassifiedEvent[];
  deadLetters: DeadLetterRecord[];
  receivedAt: number;
  /** The consumer's event-time clock after this batch. */
  clock: Clock;
  definitions: readonly MetricDefinition[];
}

/**
 * What a batch adds to the rollups if every one of `events` is new: computed before the
 * database transaction opens, so the engine never runs while rows are locked
 * (docs/decisions/0026). The store writes it only if exactly these events were inserted.
 */
export interface BatchPlan {
  /** The events the plan assumes are new, in delivery order. */
  events: readonly ClassifiedEvent[];
  /** Events that are counted now (not too late). */
  counted: number;
  /** Event times of the too-late ones: stored, counted by reconciliation. */
  tooLateTimes: number[];
  eventCounts: RollupDelta[];
  metricDeltas: MetricDelta[];
}

export function planBatch(
  definitions: readonly MetricDefinition[],
  events: readonly ClassifiedEvent[],
): BatchPlan {
  const counted = events.filter((row) => row.lateness !== "too_late");
  return {
    events,
    counted: counted.length,
    tooLateTimes: events.filter((row) => row.lateness === "too_late").map((row) => row.event.ts),
    eventCounts: eventCountDeltas(counted.map((row) => row.event)),
    metricDeltas: metricDeltas(definitions, counted),
  };
}
