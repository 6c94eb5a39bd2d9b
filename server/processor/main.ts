import { loadConfig } from "../config";
import { assertSupportedRuntime } from "../runtime";
import { createDbClients } from "../db/clients";
import { createLogger, errorFields } from "../log";
import { connectNats } from "../nats/streams";
import { startProcessor } from "./processor";

/** Composition root of the `processor` role. */
async function main() {
  assertSupportedRuntime();
  const config = loadConfig();
  const log = createLogger("processor", config.LOG_LEVEL);
  const db = createDbClients(config.DATABASE_URL, { max: 4, appName: "nowcast-processor" });
  const nc = await connectNats(config.NATS_URL, "nowcast-processor");
  const processor = await startProcessor(
    { nc, pool: db.pool, log, databaseUrl: config.DATABASE_URL },
    {
      namespace: config.NOWCAST_NAMESPACE,
      dedupWindowSeconds: config.NOWCAST_DEDUP_WINDOW_S,
      batchSize: config.PROCESSOR_BATCH_SIZE,
      batchWaitMs: config.PROCESSOR_BATCH_WAIT_MS,
      maxInFlight: config.PROCESSOR_MAX_IN_FLIGHT,
      time: {
        outOfOrdernessMs: config.NOWCAST_OUT_OF_ORDERNESS_MS,
        allowedLatenessMs: config.NOWCAST_ALLOWED_LATENESS_MS,
      },
      idleTimeoutMs: config.NOWCAST_IDLE_TIMEOUT_MS,
      definitionsRefreshMs: config.METRIC_DEFINITIONS_REFRESH_MS,
      ackWaitMs: config.PROCESSOR_ACK_WAIT_MS,
      reconcileWindowDays: config.RECONCILE_WINDOW_DAYS,
    },
  );
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info("stopping", { signal });
    await processor.stop();
    await nc.drain().catch(() => undefined);
    await db.close();
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}

main().catch((error: unknown) => {
  createLogger("processor").error("failed to start", errorFields(error));
  process.exit(1);
});
