import { loadConfig, natsNames, retentionPolicy } from "../config";
import { assertSupportedRuntime } from "../runtime";
import { createDbClients } from "../db/clients";
import { createLogger, errorFields } from "../log";
import { authSecret } from "../auth/auth";
import { startScheduler } from "./scheduler";
import { startWebhooks } from "./webhooks";

/** Composition root of the `scheduler` role: compaction, reconciliation and retention via pg-boss. */
async function main() {
  assertSupportedRuntime();
  const config = loadConfig();
  const log = createLogger("scheduler", config.LOG_LEVEL);
  const db = createDbClients(config.DATABASE_URL, { max: 4, appName: "nowcast-scheduler" });
  const scheduler = await startScheduler(
    { pool: db.pool, log },
    {
      databaseUrl: config.DATABASE_URL,
      schema: natsNames(config.NOWCAST_NAMESPACE).bossSchema,
      retryLimit: config.SCHEDULER_RETRY_LIMIT,
      retryDelaySeconds: config.SCHEDULER_RETRY_DELAY_S,
      batch: {
        outOfOrdernessMs: config.NOWCAST_OUT_OF_ORDERNESS_MS,
        allowedLatenessMs: config.NOWCAST_ALLOWED_LATENESS_MS,
        reconcileWindowDays: config.RECONCILE_WINDOW_DAYS,
        maxPerPlan: 500,
        retention: retentionPolicy(config),
      },
    },
  );
  // Alert notifications (the alerter's outbox) are sent by this role's pg-boss.
  const webhooks = await startWebhooks(scheduler.boss, db.pool, log, {
    databaseUrl: config.DATABASE_URL,
    masterSecret: authSecret(config),
    attempts: config.ALERT_WEBHOOK_ATTEMPTS,
    retryDelaySeconds: config.ALERT_WEBHOOK_RETRY_DELAY_S,
    allowPrivate: config.NOWCAST_WEBHOOK_ALLOW_PRIVATE,
  });
  const plan = () =>
    void scheduler
      .requestPlan()
      .catch((error: unknown) => log.warn("could not enqueue a plan", errorFields(error)));
  plan();
  const timer = setInterval(plan, config.SCHEDULER_PLAN_INTERVAL_MS);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info("stopping", { signal });
    clearInterval(timer);
    await webhooks.stop().catch(() => undefined);
    await scheduler
      .stop()
      .catch((error: unknown) => log.warn("pg-boss did not stop cleanly", errorFields(error)));
    await db.close();
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}

main().catch((error: unknown) => {
  createLogger("scheduler").error("failed to start", errorFields(error));
  process.exit(1);
});
