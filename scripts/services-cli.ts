// `npm run services`: makes sure PostgreSQL and NATS JetStream are available (starting them
// under .data/ if needed), prints their URLs and keeps them running until Ctrl-C.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ensureServices, loadDotEnv, maskUrl } from "./services.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
process.chdir(ROOT);
loadDotEnv();

const log = (m: string): void => console.log(`[services] ${m}`);

try {
  const services = await ensureServices({ dataDir: ".data", log });
  console.log(`DATABASE_URL=${maskUrl(services.databaseUrl)}`);
  console.log(`NATS_URL=${maskUrl(services.natsUrl)}`);
  console.log("Press Ctrl-C to stop the services started here (servers that were already running stay up).");

  // Nothing else keeps the event loop alive when both servers were already running.
  const keepAlive = setInterval(() => {}, 1 << 30);
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    clearInterval(keepAlive);
    await services.stop();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop());
  process.on("SIGTERM", () => void stop());
} catch (err) {
  console.error(`[services] ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
