/**
 * Groups an async stream of items into batches of at most `maxSize`, flushing a partial batch
 * after `maxWaitMs` so a quiet stream still has low latency.
 *
 * Two stages per batch: `prepare` (CPU work, e.g. decoding) and `handle` (e.g. the database
 * commit). Prepares run one at a time in order, commits likewise, but batch k+1 is prepared
 * while batch k commits, so the processor's CPU and Postgres work overlap. At most one batch
 * commits, one waits prepared and one is being collected: reading stops beyond that
 * (back-pressure, bounded memory).
 */
export interface BatcherOptions<T, P> {
  maxSize: number;
  maxWaitMs: number;
  prepare(batch: T[]): Promise<P>;
  handle(prepared: P): Promise<void>;
}

export class Batcher<T, P = T[]> {
  private pending: T[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private prepareChain: Promise<unknown> = Promise.resolve();
  private commitChain: Promise<void> = Promise.resolve();
  private failure: unknown;

  constructor(private readonly options: BatcherOptions<T, P>) {}

  /** Adds an item; the returned promise resolves when the caller may add more. */
  async add(item: T): Promise<void> {
    if (this.failure) throw this.failure;
    this.pending.push(item);
    if (this.pending.length >= this.options.maxSize) {
      await this.flush();
    } else {
      this.timer ??= setTimeout(() => void this.flush().catch(() => undefined), this.options.maxWaitMs);
    }
  }

  /**
   * Starts preparing the pending items and queues their commit after the previous one.
   * Resolves when the previous batch has committed (so one batch can wait prepared).
   */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending.splice(0);
    if (batch.length === 0) return this.commitChain;
    const prepared = this.prepareChain.then(() => this.options.prepare(batch));
    this.prepareChain = prepared.catch(() => undefined);
    const previous = this.commitChain;
    this.commitChain = previous.then(async () => {
      try {
        await this.options.handle(await prepared);
      } catch (error) {
        this.failure = error;
        throw error;
      }
    });
    // The new commit's failure surfaces through `failure` on the next add, or from drain().
    this.commitChain.catch(() => undefined);
    return previous;
  }

  /** Flushes and waits until every batch handed over so far has committed. */
  async drain(): Promise<void> {
    await this.flush();
    await this.commitChain;
  }

  /** Size of the batch that is still being collected. */
  get size(): number {
    return this.pending.length;
  }
}
