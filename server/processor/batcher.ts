/**
 * Groups an async stream of items into batches of at most `maxSize`, flushing a partial batch
 * after `maxWaitMs` so a quiet stream still has low latency.
 *
 * Two stages per batch: `prepare` (CPU work, e.g. decoding) and `handle` (e.g. the database
 * commit). Prepares run one at a time in order, commits likewise, but batch k+1 is prepared
 * while batch k commits, so the processor's CPU and Postgres work overlap.
 *
 * Bounded: at most two batches are handed over (one committing, one prepared). Beyond that
 * the timer does not hand over partial batches; the collecting batch grows to `maxSize` and
 * `add` blocks, so reading stops while Postgres is slow or down (back-pressure).
 */
export interface BatcherOptions<T, P> {
  maxSize: number;
  maxWaitMs: number;
  prepare(batch: T[]): Promise<P>;
  handle(prepared: P): Promise<void>;
}

const MAX_HANDED_OVER = 2;

export class Batcher<T, P = T[]> {
  private pending: T[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private prepareChain: Promise<unknown> = Promise.resolve();
  private commitChain: Promise<void> = Promise.resolve();
  private handedOver = 0;
  private due = false;
  private waiters: (() => void)[] = [];
  private failure: unknown;

  constructor(private readonly options: BatcherOptions<T, P>) {}

  /** Adds an item; the returned promise resolves when the caller may add more. */
  async add(item: T): Promise<void> {
    if (this.failure) throw this.failure;
    this.pending.push(item);
    if (this.pending.length < this.options.maxSize) {
      this.timer ??= setTimeout(() => this.onTimer(), this.options.maxWaitMs);
      return;
    }
    while (this.handedOver >= MAX_HANDED_OVER && !this.failure) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    if (this.failure) throw this.failure;
    this.handOver();
  }

  /** Hands everything over and waits until all of it has committed. */
  async drain(): Promise<void> {
    this.handOver();
    await this.commitChain;
    if (this.failure) throw this.failure;
  }

  /** Size of the batch that is still being collected. */
  get size(): number {
    return this.pending.length;
  }

  /** Nothing collected, prepared or committing. */
  get idle(): boolean {
    return this.pending.length === 0 && this.handedOver === 0;
  }

  private onTimer(): void {
    this.timer = undefined;
    if (this.handedOver >= MAX_HANDED_OVER) this.due = true;
    else this.handOver();
  }

  private handOver(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.due = false;
    const batch = this.pending.splice(0);
    if (batch.length === 0) return;
    this.handedOver += 1;
    const prepared = this.prepareChain.then(() => this.options.prepare(batch));
    this.prepareChain = prepared.catch(() => undefined);
    this.commitChain = this.commitChain.then(async () => {
      try {
        if (!this.failure) await this.options.handle(await prepared);
      } catch (error) {
        this.failure ??= error;
      } finally {
        this.handedOver -= 1;
        for (const wake of this.waiters.splice(0)) wake();
        if (this.due && !this.failure) this.handOver();
      }
    });
  }
}
