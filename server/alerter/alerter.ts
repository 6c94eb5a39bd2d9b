import type { NatsConnection } from "@nats-io/transport-node";
import type pg from "pg";
import type { AlertNotice } from "../contract";
import { MAX_GROUPS } from "../contract";
import { readLiveSeed } from "../db/live-seed";
import { loadDefinitions } from "../db/metric-definitions";
import { errorFields, type Logger } from "../log";
import { startLiveFeed } from "../web/live-feed";
import { AlertEvaluator } from "./evaluator";
import { RuleLeases } from "./leases";
import { SourceCache } from "./sources";

export interface AlerterOptions {
  databaseUrl: string;
  liveSubject: string;
  alertSubject: string;
  outOfOrdernessMs: number;
  tickMs: number;
  refreshMs: number;
  maxSlots: number;
  publicUrl: string;
}

export interface Alerter {
  /** Resolves once the live store is seeded and rules are loaded. */
  ready: Promise<void>;
  evaluator: AlertEvaluator;
  leases: RuleLeases;
  stop(): Promise<void>;
}

const FLUSH_EVERY_MS = 5_000;

/**
 * The evaluating role's loop: the live feed (the processors' batches on NATS, seeded from
 * Postgres) drives a round for the metrics each batch touched, a tick re-evaluates everything
 * (pending, keep-firing, no data, data age), and rounds never overlap. Owns its timers.
 */
export function startAlerter(
  deps: { nc: NatsConnection; pool: pg.Pool; log: Logger; now?: () => number },
  options: AlerterOptions,
): Alerter {
  const { nc, pool, log } = deps;
  const now = deps.now ?? Date.now;
  const feed = startLiveFeed({
    nc,
    liveSubject: options.liveSubject,
    // Every group a rule may watch, plus the remainder.
    groupLimit: MAX_GROUPS,
    readSeed: async () =>
      readLiveSeed(pool, (await loadDefinitions(pool)).definitions, options.outOfOrdernessMs),
    log,
  });
  const leases = new RuleLeases(options.databaseUrl, options.maxSlots, log);
  const evaluator = new AlertEvaluator({
    pool,
    sources: new SourceCache(feed.store),
    owns: (id) => leases.owns(id),
    log,
    publicUrl: options.publicUrl,
    publishNotice: (notice: AlertNotice) => nc.publish(options.alertSubject, JSON.stringify(notice)),
  });

  let running: Promise<void> = Promise.resolve();
  let touched: Set<string> | null = null;
  let full = false;
  let scheduled = false;
  let stopped = false;
  // Rounds run one after another; requests while one runs are merged into the next.
  const schedule = () => {
    if (scheduled || stopped) return;
    scheduled = true;
    running = running.then(async () => {
      scheduled = false;
      const metrics = full ? undefined : (touched ?? undefined);
      full = false;
      touched = null;
      await evaluator
        .round(now(), metrics)
        .catch((error: unknown) => log.warn("alert round failed", errorFields(error)));
    });
  };
  const ready = (async () => {
    await feed.ready;
    while (!stopped) {
      try {
        await evaluator.refresh();
        break;
      } catch (error) {
        log.warn("could not load alert rules; retrying", errorFields(error));
        await new Promise((r) => setTimeout(r, 1_000));
      }
    }
    await leases.renew();
    feed.onChange((buckets) => {
      touched ??= new Set();
      for (const b of buckets) touched.add(b.metric);
      schedule();
    });
    feed.onReseed(() => {
      full = true;
      schedule();
    });
    full = true;
    schedule();
  })();

  const tick = setInterval(() => {
    full = true;
    schedule();
  }, options.tickMs);
  const refresh = setInterval(() => {
    running = running.then(async () => {
      try {
        await evaluator.refresh();
        if ((await leases.renew()).length > 0) evaluator.forgetAll();
      } catch (error) {
        log.warn("could not refresh alert rules", errorFields(error));
      }
    });
  }, options.refreshMs);
  const flush = setInterval(() => {
    running = running.then(() =>
      evaluator
        .flush()
        .catch((error: unknown) => log.warn("could not store alert memories", errorFields(error))),
    );
  }, FLUSH_EVERY_MS);

  return {
    ready,
    evaluator,
    leases,
    async stop() {
      stopped = true;
      clearInterval(tick);
      clearInterval(refresh);
      clearInterval(flush);
      feed.stop();
      await running;
      await evaluator.flush().catch(() => undefined);
      await leases.close();
    },
  };
}
