import { randomBytes } from "node:crypto";
import { readFile, rm } from "node:fs/promises";
import { createTestDatabase, deleteNamespace, NATS_URL, uniqueName } from "../server/testing/harness";
import { seedE2eAccess, writeStorageState } from "./access";
import { freePort, RESTARTED_WEB_PID_FILE, startRole, stopRole, waitForHealth } from "./stack";

/**
 * Runs the real web, processor, scheduler and alerter roles (production build) against a database and NATS
 * namespace of their own; tests read E2E_* variables to reach them.
 */
export default async function globalSetup() {
  const database = await createTestDatabase("nowcast_e2e");
  const namespace = uniqueName("te2e");
  const port = await freePort();
  const env = {
    DATABASE_URL: database.url,
    NATS_URL,
    NOWCAST_NAMESPACE: namespace,
    NODE_ENV: "production",
    PORT: String(port),
    HOST: "127.0.0.1",
    LOG_LEVEL: "warn",
    NOWCAST_AUTH_SECRET: randomBytes(32).toString("hex"),
    // The specs sign in many times from one address; throttling itself is an integration test.
    AUTH_SIGNIN_PER_MINUTE: "1000",
    // Plan compaction/reconciliation every second so /jobs fills within a test's patience.
    SCHEDULER_PLAN_INTERVAL_MS: "1000",
    SCHEDULER_RETRY_DELAY_S: "1",
    // The live specs script event time (which bucket is open, final or revised); an idle
    // advance of the watermark in between would change their premise. Tested in
    // server/processor/watermark.int.test.ts.
    NOWCAST_IDLE_TIMEOUT_MS: "3600000",
  };
  const ingestKey = await seedE2eAccess(database.url);
  const processor = await startRole("processor", env);
  const scheduler = await startRole("scheduler", env);
  const alerter = await startRole("alerter", env);
  const web = await startRole("web", env);
  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    await waitForHealth(baseUrl, web);
    for (const role of ["viewer", "analyst", "admin"] as const) await writeStorageState(baseUrl, role);
  } catch (error) {
    await Promise.all([stopRole(web), stopRole(processor), stopRole(scheduler), stopRole(alerter)]);
    await deleteNamespace(namespace);
    await database.drop();
    throw error;
  }
  process.env.E2E_BASE_URL = baseUrl;
  process.env.E2E_DATABASE_URL = database.url;
  process.env.E2E_NAMESPACE = namespace;
  process.env.E2E_INGEST_KEY = ingestKey;
  // The restart test kills this web process and starts another with the same settings.
  process.env.E2E_WEB_ENV = JSON.stringify(env);
  process.env.E2E_WEB_PID = String(web.pid);

  return async () => {
    await stopRole(web);
    await stopRestartedWeb();
    await stopRole(scheduler);
    await stopRole(alerter);
    await stopRole(processor);
    await deleteNamespace(namespace);
    await database.drop();
  };
}

/** A web process started by a test (e2e/stack.ts RESTARTED_WEB_PID_FILE) is stopped here too. */
async function stopRestartedWeb(): Promise<void> {
  const pid = Number(await readFile(RESTARTED_WEB_PID_FILE, "utf8").catch(() => "NaN"));
  await rm(RESTARTED_WEB_PID_FILE, { force: true });
  if (!Number.isInteger(pid)) return;
  try {
    process.kill(-pid, "SIGTERM");
  } catch {
    // already gone
  }
}
