/**
 * Groups an async stream of items into batches of at most `maxSize`, flushing a partial batch
 * after `maxWaitMs` so a quiet stream still has low latency. One batch is handled at a time;
 * while it is, reading stops once the next batch is full (back-pressure, bounded memory).
 */
export interface BatcherOptions<T> {
  maxSize: number;
  maxWaitMs: number;
  handle(batch: T[]): Promise<void>;
}

export class Batcher<T> {
  private pending: T[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private chain: Promise<void> = Promise.resolve();
  private failure: unknown;

  constructor(private readonly options: BatcherOptions<T>) {}

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

  /** Hands the pending items to `handle` after the batch before them is done. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending.splice(0);
    if (batch.length === 0) return this.chain;
    this.chain = this.chain.then(async () => {
      try {
        await this.options.handle(batch);
      } catch (error) {
        this.failure = error;
        throw error;
      }
    });
    return this.chain;
  }

  /** Size of the batch that is still being collected. */
  get size(): number {
    return this.pending.length;
  }
}
