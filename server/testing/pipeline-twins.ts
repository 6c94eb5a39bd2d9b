import { LiveBatch } from "../contract";
import { emptyState, mergeInto, mergeStates } from "../core/aggregate-state";
import { metricDeltas } from "../core/engine";
import type { BatchCommit, ClassifiedEvent, DeadLetterRecord } from "../core/batch";
import type { BatchResult } from "../db/event-store";
import { databaseErrorOf } from "../db/failure";
import type { MergedBucket } from "../db/rollup-store";
import type { Delivered } from "../processor/pipeline";
import { rollupKey } from "./metric-oracle";

/**
 * In-memory twins of the pipeline's ports (server/processor/pipeline.ts), for unit tests that
 * drive prepareBatch/planCommit/commitIsolating the way the processor does.
 */

/** How a commit fails: rolled back before anything is written, or committed with the answer lost. */
export type CommitFault = "rolled_back" | "answer_lost";

/**
 * The commit port (commitBatch in server/db/event-store.ts) with the same exactly-once rules as
 * its SQL: an event id is stored once (ON CONFLICT DO NOTHING), only newly stored, counted
 * events feed the rollups (through the engine's metricDeltas, as the adapter does), a dead
 * letter is stored once per dedup key, the checkpoint's clock only moves forward, and a commit
 * happens whole or not at all. Faults are taken from `faults`, one per commit.
 */
export class CommitTwin {
  readonly raw = new Map<string, ClassifiedEvent>();
  readonly rollups = new Map<string, MergedBucket>();
  readonly letters = new Map<string, DeadLetterRecord>();
  readonly checkpoint = { batchSeq: 0, streamSeq: 0, total: 0, tooLateTotal: 0, maxEventTime: 0 };
  /** One per commit, in order; null (or none left) commits normally. */
  readonly faults: (CommitFault | null)[] = [];
  /** Commits that took effect (an `answer_lost` one included). */
  applied = 0;
  /** The fault of the last commit (null: it succeeded). */
  lastFault: CommitFault | null = null;

  async commit(batch: BatchCommit): Promise<BatchResult> {
    const fault = this.faults.shift() ?? null;
    this.lastFault = fault;
    if (fault === "rolled_back")
      throw databaseErrorOf("57P01", "terminating connection due to administrator command");
    const result = this.apply(batch);
    if (fault === "answer_lost") throw databaseErrorOf("08006", "connection lost while committing");
    return result;
  }

  /** Synchronous, so nothing can interleave or fail half-way: all of it or (above) none. */
  private apply(batch: BatchCommit): BatchResult {
    this.applied += 1;
    // Row by row, as INSERT … ON CONFLICT DO NOTHING: a repeated id, stored or earlier in the batch, is skipped.
    const inserted = batch.events.filter(
      (row) => !this.raw.has(row.event.id) && this.raw.set(row.event.id, row),
    );
    const counted = inserted.filter((row) => row.lateness !== "too_late");
    const buckets = metricDeltas(batch.definitions, counted).map((delta): MergedBucket => {
      const key = rollupKey(delta.metric, delta.bucketStart, delta.groupKey);
      const stored = this.rollups.get(key);
      if (stored) mergeInto(stored.state, delta.state);
      const { metric, bucketStart, groupKey, state } = delta;
      const bucket = stored ?? { metric, bucketStart, groupKey, state, revisions: 0 };
      bucket.revisions += delta.revised ? 1 : 0;
      this.rollups.set(key, bucket);
      // The row as now stored, as the adapter reads it back (a copy: later commits change it).
      return { ...bucket, state: mergeStates(bucket.state, emptyState()) };
    });
    batch.deadLetters.forEach((letter, i) => {
      const key = letter.dedupKey ?? `no-key-${this.applied}-${i}`;
      if (!this.letters.has(key)) this.letters.set(key, letter);
    });
    const c = this.checkpoint;
    c.batchSeq += 1;
    c.streamSeq = Math.max(c.streamSeq, batch.streamSeq);
    c.total += inserted.length;
    c.tooLateTotal += inserted.length - counted.length;
    c.maxEventTime = Math.max(c.maxEventTime, batch.clock.maxEventTime ?? 0);
    return { inserted, batchSeq: c.batchSeq, total: c.total, tooLateTotal: c.tooLateTotal, buckets };
  }
}

/** The live publisher: what a web instance would receive, through JSON and the contract. */
export class LivePublisherTwin {
  readonly batches: LiveBatch[] = [];
  publish(batch: LiveBatch): void {
    this.batches.push(LiveBatch.parse(JSON.parse(JSON.stringify(batch))));
  }
}

/**
 * A JetStream consumer: every message stays pending until it is acked or terminated, and
 * whatever is pending is delivered again (oldest first, as after the ack wait), so a batch
 * whose commit failed comes back. `onSettle` sees each settlement as it happens.
 */
export class StreamTwin {
  private readonly messages: { seq: number; subject: string; data: Uint8Array }[] = [];
  private readonly settled = new Map<number, ("ack" | "term")[]>();
  deliveries = 0;

  constructor(private readonly onSettle: (seq: number, how: "ack" | "term") => void = () => undefined) {}

  publish(subject: string, body: string): number {
    const seq = this.messages.length + 1;
    this.messages.push({ seq, subject, data: new TextEncoder().encode(body) });
    return seq;
  }

  get pending(): number {
    return this.messages.filter((m) => !this.settled.has(m.seq)).length;
  }

  /** Up to `max` pending messages, oldest first: redeliveries and new ones alike. */
  deliver(max: number): Delivered[] {
    this.deliveries += 1;
    return this.messages
      .filter((m) => !this.settled.has(m.seq))
      .slice(0, max)
      .map((m) => ({
        ...m,
        ack: () => this.settle(m.seq, "ack"),
        term: () => this.settle(m.seq, "term"),
        working: () => undefined,
      }));
  }

  /** How each message was settled, over all its deliveries. */
  settlements(seq: number): readonly string[] {
    return this.settled.get(seq) ?? [];
  }

  private settle(seq: number, how: "ack" | "term"): void {
    this.settled.set(seq, [...(this.settled.get(seq) ?? []), how]);
    this.onSettle(seq, how);
  }
}
