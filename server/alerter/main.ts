import { loadConfig, natsNames } from "../config";
import { createDbClients } from "../db/clients";
import { createLogger, errorFields } from "../log";
import { connectNats } from "../nats/streams";
import { assertSupportedRuntime } from "../runtime";
import { startAlerter } from "./alerter";

/** Composition root of the `alerter` role: evaluates alert rules on the live stream. */
async function main() {
  assertSupportedRuntime();
  const config = loadConfig();
  const log = createLogger("alerter", config.LOG_LEVEL);
  const db = createDbClients(config.DATABASE_URL, { max: 4, appName: "nowcast-alerter" });
  const nc = await connectNats(config.NATS_URL, "nowcast-alerter");
  const names = natsNames(config.NOWCAST_NAMESPACE);
  const alerter = startAlerter(
    { nc, pool: db.pool, log },
    {
      databaseUrl: config.DATABASE_URL,
      liveSubject: `${names.liveSubjectPrefix}.events`,
      alertSubject: names.alertSubject,
      outOfOrdernessMs: config.NOWCAST_OUT_OF_ORDERNESS_MS,
      tickMs: config.ALERT_TICK_MS,
      refreshMs: config.ALERT_REFRESH_MS,
      maxSlots: config.ALERT_EVALUATOR_SLOTS,
      publicUrl: config.NOWCAST_PUBLIC_URL ?? `http://localhost:${config.PORT}`,
    },
  );
  await alerter.ready;
  log.info("evaluating alert rules", { rules: alerter.evaluator.ruleCount, slots: alerter.leases.slots });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info("stopping", { signal });
    await alerter
      .stop()
      .catch((error: unknown) => log.warn("alerter did not stop cleanly", errorFields(error)));
    await nc.drain().catch(() => undefined);
    await db.close();
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}

main().catch((error: unknown) => {
  createLogger("alerter").error("failed to start", errorFields(error));
  process.exit(1);
});
