/**
 * Closes outbox entries in batches: each decision JetStream acknowledged is marked published
 * by one UPDATE per `delayMs` for all of them, instead of one round trip per decision. A lost
 * batch (crash, database error) only leaves entries for the outbox sweep, whose re-publish is
 * absorbed by JetStream's dedup and the raw insert's ON CONFLICT.
 */
export class PublishMarks {
  private pending = new Set<string>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly flush: (ids: string[]) => Promise<void>,
    private readonly onError: (error: unknown) => void,
    private readonly delayMs = 20,
  ) {}

  mark(id: string): void {
    this.pending.add(id);
    this.timer ??= setTimeout(() => void this.drain(), this.delayMs);
  }

  /** Keeps a publish the answer did not wait for, so `drain()` waits for it (shutdown). */
  track(publish: Promise<unknown>): void {
    const settled = publish.catch(() => undefined).finally(() => this.inFlight.delete(settled));
    this.inFlight.add(settled);
  }

  /** Writes what is pending now, after the publishes still under way (also on shutdown). */
  async drain(): Promise<void> {
    if (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const ids = [...this.pending];
    this.pending = new Set();
    if (ids.length > 0) await this.flush(ids).catch(this.onError);
  }
}
