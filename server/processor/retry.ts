import { errorFields, type Logger } from "../log";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Retries `work` with back-off (0.2 s doubling to 5 s) until it succeeds or `stopping()`: a
 * batch is never skipped, and nothing is acked before its commit. Postgres being down shows up
 * here (enrichment or commit); `keepAlive` extends the messages' ack deadline meanwhile.
 */
export function retryingUntil(stopping: () => boolean, log: Logger) {
  return async <R>(what: string, size: number, work: () => Promise<R>, keepAlive: () => void): Promise<R> => {
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await work();
        if (attempt > 1) log.info(`${what} succeeded again`, { attempt });
        return result;
      } catch (error) {
        if (stopping()) throw error;
        log.warn(`${what} failed; retrying without ack`, { attempt, size, ...errorFields(error) });
        keepAlive();
        await sleep(Math.min(5_000, 100 * 2 ** Math.min(attempt, 6)));
      }
    }
  };
}

/** Runs the functions given to it one at a time, in call order (a failure does not stop the queue). */
export function serial() {
  let tail: Promise<unknown> = Promise.resolve();
  return <R>(work: () => Promise<R>): Promise<R> => {
    const run = tail.then(work, work);
    tail = run.catch(() => undefined);
    return run;
  };
}
