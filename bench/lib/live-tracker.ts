/**
 * Follows the processor's commits through the LiveBatch it publishes on core NATS
 * (`<namespace>.live.events`) right after each commit + ack (server/processor/pipeline.ts).
 * Only the three fields the bench needs are read, without a schema parse, to keep the bench
 * process light while it shares two cores with the processor.
 */
import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import { natsNames } from "../../server/config";

export interface Commit {
  batchSeq: number;
  /** Events this consumer has stored after the batch (checkpoint events_total). */
  total: number;
  /** Processor's Date.now() after COMMIT and the acks. */
  committedAt: number;
  /** Bench's Date.now() when the LiveBatch arrived. */
  receivedAt: number;
}

function readCommit(data: unknown, receivedAt: number): Commit | undefined {
  if (typeof data !== "object" || data === null) return undefined;
  const record = data as Record<string, unknown>;
  const { batchSeq, total, committedAt } = record;
  if (typeof batchSeq !== "number" || typeof total !== "number" || typeof committedAt !== "number") {
    return undefined;
  }
  return { batchSeq, total, committedAt, receivedAt };
}

export class LiveTracker {
  readonly commits: Commit[] = [];
  private readonly subscription: Subscription;
  private waiters: { target: number; resolve: (commit: Commit) => void }[] = [];
  malformed = 0;
  /** Called with each commit as it arrives (e.g. to start a profiler on the first one). */
  onCommit: ((commit: Commit) => void) | undefined;

  constructor(nc: NatsConnection, namespace: string) {
    this.subscription = nc.subscribe(`${natsNames(namespace).liveSubjectPrefix}.events`, {
      callback: (error, message) => {
        if (error) return;
        let commit: Commit | undefined;
        try {
          commit = readCommit(JSON.parse(message.string()), Date.now());
        } catch {
          commit = undefined;
        }
        if (!commit) {
          this.malformed++;
          return;
        }
        this.commits.push(commit);
        this.onCommit?.(commit);
        const reached = commit;
        this.waiters = this.waiters.filter((waiter) => {
          if (reached.total < waiter.target) return true;
          waiter.resolve(reached);
          return false;
        });
      },
    });
  }

  get lastTotal(): number {
    return this.commits.at(-1)?.total ?? 0;
  }

  /** Resolves with the first commit whose total reaches `target`. */
  waitForTotal(target: number, timeoutMs: number): Promise<Commit> {
    const done = this.commits.find((c) => c.total >= target);
    if (done) return Promise.resolve(done);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(
          new Error(
            `timed out after ${timeoutMs} ms: processor committed ${this.lastTotal} of ${target} events`,
          ),
        );
      }, timeoutMs);
      this.waiters.push({
        target,
        resolve: (commit) => {
          clearTimeout(timer);
          resolve(commit);
        },
      });
    });
  }

  /** True when every batchSeq from the first seen to the last arrived (no LiveBatch lost). */
  contiguous(): boolean {
    return this.commits.every((c, i) => i === 0 || c.batchSeq === (this.commits[i - 1]?.batchSeq ?? 0) + 1);
  }

  close(): void {
    this.subscription.unsubscribe();
  }
}
