export interface GroupCommitOptions {
  /** Most items one run takes. */
  maxBatch: number;
  /** Most runs at once (each holds one database connection). */
  maxInFlight: number;
}

interface Waiting<I, R> {
  item: I;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: items submitted while every run slot is busy wait and go together into the
 * next free slot, so under load one transaction decides many requests and an idle instance
 * still runs a lone request at once (no timer, no added wait). When a run of several items
 * fails, each item is run again alone, so one item that cannot be decided fails only itself.
 */
export class GroupCommit<I, R> {
  private readonly queue: Array<Waiting<I, R>> = [];
  private inFlight = 0;

  constructor(
    private readonly run: (items: I[]) => Promise<R[]>,
    private readonly options: GroupCommitOptions,
  ) {}

  submit(item: I): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.pump();
    });
  }

  /** Items waiting for a slot (for tests and diagnostics). */
  get waiting(): number {
    return this.queue.length;
  }

  private pump(): void {
    while (this.inFlight < this.options.maxInFlight && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.options.maxBatch);
      this.inFlight += 1;
      void this.execute(batch).finally(() => {
        this.inFlight -= 1;
        this.pump();
      });
    }
  }

  private async execute(batch: Array<Waiting<I, R>>): Promise<void> {
    try {
      const results = await this.run(batch.map((w) => w.item));
      if (results.length !== batch.length)
        throw new Error(`a run answered ${results.length} of ${batch.length} items`);
      batch.forEach((w, i) => w.resolve(results[i] as R));
    } catch (error) {
      if (batch.length === 1) {
        batch[0]?.reject(error);
        return;
      }
      for (const w of batch) await this.execute([w]);
    }
  }
}
