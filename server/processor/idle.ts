import { idleAdvance, type Clock } from "../core/engine";
import { errorFields, type Logger } from "../log";

/** What the idle advance needs of the processor (docs/decisions/0019). */
export interface IdleAdvanceDeps {
  idleTimeoutMs: number;
  now(): number;
  /** Nothing is being collected or committed in this process. */
  quiet(): boolean;
  /** Nothing waits in the consumer, delivered or not (asks JetStream; throws while it cannot). */
  nothingPending(): Promise<boolean>;
  /** The committed clock and when a message last arrived or the clock last advanced. */
  clock(): Clock;
  lastActivityAt(): number;
  /** Commits `clock` (serialized with batch commits); re-checks that it is still due. */
  commit(clock: Clock): Promise<void>;
  log: Logger;
}

/**
 * On an idle stream the watermark would never move and the last buckets would stay open for
 * ever. Once nothing has arrived for the idle timeout and nothing is pending, the clock moves
 * to the processing time and is committed (checkpoint + live batch), again every timeout while
 * the stream stays idle. Checks run a few times per timeout.
 */
export function startIdleAdvance(deps: IdleAdvanceDeps): { stop(): void } {
  let running = false;
  const tick = async () => {
    if (running || !deps.quiet()) return;
    running = true;
    try {
      const next = idleAdvance(deps.clock(), deps.lastActivityAt(), deps.now(), deps.idleTimeoutMs);
      if (next && (await deps.nothingPending())) await deps.commit(next);
    } catch (error) {
      deps.log.warn("idle advance of the watermark failed; trying again", errorFields(error));
    } finally {
      running = false;
    }
  };
  const every = Math.max(100, Math.min(1_000, Math.floor(deps.idleTimeoutMs / 4)));
  const timer = setInterval(() => void tick(), every);
  return { stop: () => clearInterval(timer) };
}
