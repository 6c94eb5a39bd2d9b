import { createTestDatabase, deleteNamespace, NATS_URL, uniqueName } from "../server/testing/harness";
import { freePort, startRole, stopRole, waitForHealth } from "./stack";

/**
 * Runs the real web, processor and scheduler roles (production build) against a database and NATS
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
    // Plan compaction/reconciliation every second so /jobs fills within a test's patience.
    SCHEDULER_PLAN_INTERVAL_MS: "1000",
    SCHEDULER_RETRY_DELAY_S: "1",
  };
  const processor = await startRole("processor", env);
  const scheduler = await startRole("scheduler", env);
  const web = await startRole("web", env);
  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    await waitForHealth(baseUrl, web);
  } catch (error) {
    await Promise.all([stopRole(web), stopRole(processor), stopRole(scheduler)]);
    await deleteNamespace(namespace);
    await database.drop();
    throw error;
  }
  process.env.E2E_BASE_URL = baseUrl;
  process.env.E2E_DATABASE_URL = database.url;
  process.env.E2E_NAMESPACE = namespace;

  return async () => {
    await stopRole(web);
    await stopRole(scheduler);
    await stopRole(processor);
    await deleteNamespace(namespace);
    await database.drop();
  };
}
