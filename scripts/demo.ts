// The body of `npm run demo` (scripts/demo.mjs runs it after bootstrapping): PostgreSQL and
// NATS (started if missing), migrations, a production build (Next and the compiled roles),
// then the processor, the scheduler, the alerter, the web server and the event simulator, until Ctrl-C.
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { seedDemoDimensions } from "../server/simulator/dimensions.ts";
import { seedDemoRules } from "../server/alerts/demo-rules.ts";
import { createDbClients } from "../server/db/clients.ts";
import { loadDefinitions } from "../server/db/metric-definitions.ts";
import { demoAuthSecret, demoScoreKey, seedDemoAccess } from "./demo-access.ts";
import { migrate } from "./migrate.ts";
import { buildIfStale } from "./next-build.ts";
import {
  describeExit,
  startChild,
  stopAllChildren,
  tsxCommand,
  waitForHttpOk,
  type ExitInfo,
  type ManagedChild,
} from "./processes.ts";
import { compiledRoleCommand } from "./roles.ts";
import { ensureServices, loadDotEnv, type Services } from "./services.ts";
import { nowcastTypes } from "../server/db/int8.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const HEALTH_TIMEOUT_MS = 60_000;
const SIMULATOR_RATE = "50";
/** Card transactions per second the simulator sends through the scoring API. */
const SIMULATOR_TX_RATE = "3";

const log = (m: string): void => console.log(`[demo] ${m}`);

let servicesPending: Promise<Services> | null = null;
let stopping: Promise<never> | null = null;

async function main(): Promise<void> {
  process.chdir(ROOT);
  loadDotEnv();
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => void shutdown(0, `${signal} received`));
  }
  const port = process.env.PORT ?? "3000";

  servicesPending = ensureServices({ dataDir: ".data", log: (m) => console.log(`[services] ${m}`) });
  const services = await servicesPending;
  if (stopping) return;

  await migrate(services.databaseUrl, (m) => console.log(`[migrate] ${m}`));
  if (stopping) return;
  await seedDemo(services.databaseUrl);
  if (stopping) return;

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: services.databaseUrl,
    NATS_URL: services.natsUrl,
    NODE_ENV: "production",
    PORT: port,
    NOWCAST_AUTH_SECRET: await demoAuthSecret(".data", process.env),
  };
  const access = await seedDemoAccess(env);
  if (stopping) return;
  const scoreKey = await demoScoreKey(".data", env);
  if (stopping) return;
  const build = await buildIfStale(ROOT, env, log);
  if (stopping) return;
  if (build.built && build.exit.code !== 0) throw new Error(`the build failed (${describeExit(build.exit)})`);

  // The roles run compiled, in production mode, as production runs them (dist/, scripts/roles.ts).
  const processor = startRole("processor", compiledRoleCommand(ROOT, "processor"), env);
  const scheduler = startRole("scheduler", compiledRoleCommand(ROOT, "scheduler"), env);
  const alerter = startRole("alerter", compiledRoleCommand(ROOT, "alerter"), env);
  const web = startRole("web", compiledRoleCommand(ROOT, "web"), env);
  exitStopsDemo(processor);
  exitStopsDemo(scheduler);
  exitStopsDemo(alerter);
  exitStopsDemo(web);

  const health = `http://127.0.0.1:${port}/api/health`;
  log(`waiting for ${health}`);
  await waitForHttpOk(health, HEALTH_TIMEOUT_MS, () => {
    if (stopping) return "the demo is stopping";
    const exited = web.child.exitCode !== null || web.child.signalCode !== null;
    return exited ? "the web server exited before it became healthy" : null;
  });
  if (stopping) return;

  const simulator = startRole(
    "simulator",
    tsxCommand("server/simulator/main.ts", [
      "--rate",
      SIMULATOR_RATE,
      "--incidents",
      "--score-url",
      `http://127.0.0.1:${port}/api/transactions/score`,
      "--tx-rate",
      SIMULATOR_TX_RATE,
    ]),
    { ...env, NOWCAST_SIMULATOR_SCORE_KEY: scoreKey },
  );
  void simulator.exited.then((info) => {
    if (!stopping)
      log(`the simulator stopped (${describeExit(info)}); the dashboard keeps running without new events`);
  });

  console.log("");
  console.log(`  Nowcast is running: http://localhost:${port}/live`);
  console.log(`  Scheduler runs and reconciliation drift: http://localhost:${port}/jobs`);
  console.log(`  Alerts (a short incident every few minutes): http://localhost:${port}/alerts`);
  console.log(
    `  Fraud review queue: http://localhost:${port}/fraud · rules: http://localhost:${port}/admin/fraud`,
  );
  console.log(
    `  (simulated events at ${SIMULATOR_RATE}/s, card transactions scored at ${SIMULATOR_TX_RATE}/s; press Ctrl-C to stop everything)`,
  );
  console.log("");
  console.log(
    "  Sign in with (secrets are shown only when created; `npm run users -- reset-password EMAIL`):",
  );
  for (const line of access) console.log(`    ${line}`);
  console.log("");
}

function startRole(role: string, [command, args]: [string, string[]], env: NodeJS.ProcessEnv): ManagedChild {
  return startChild(role, command, args, { env, output: "prefix" });
}

/** The demo is pointless without the web server, the processor or the scheduler: stop everything. */
function exitStopsDemo(managed: ManagedChild): void {
  void managed.exited.then((info: ExitInfo) => {
    if (!stopping) void shutdown(1, `the ${managed.role} exited unexpectedly (${describeExit(info)})`);
  });
}

/** Children first (they use the services), then the services this run started. Runs once. */
function shutdown(code: number, why: string): Promise<never> {
  stopping ??= (async (): Promise<never> => {
    log(`stopping: ${why}`);
    await stopAllChildren(5000);
    // Services still starting are awaited, so nothing they start is left running.
    const services = await servicesPending?.catch(() => null);
    await services
      ?.stop()
      .catch((err: unknown) =>
        log(`stopping services failed: ${err instanceof Error ? err.message : String(err)}`),
      );
    log("stopped");
    process.exit(code);
  })();
  return stopping;
}

main().catch((err: unknown) => {
  if (stopping) return;
  console.error(`[demo] ${err instanceof Error ? err.message : String(err)}`);
  void shutdown(1, "start-up failed");
});

/** Dimension rows the simulator's transactions are enriched from (idempotent). */
async function seedDemo(databaseUrl: string): Promise<void> {
  const pool = new pg.Pool({ connectionString: databaseUrl, types: nowcastTypes, max: 1 });
  try {
    await seedDemoDimensions(pool);
    log("demo customers and merchants are in place");
  } finally {
    await pool.end();
  }
  const db = createDbClients(databaseUrl, { max: 2 });
  try {
    const defs = (await loadDefinitions(db.pool)).definitions;
    const created = await seedDemoRules(db.prisma, new Map(defs.map((d) => [d.name, d])));
    log(created > 0 ? `created ${created} demo alert rules` : "alert rules exist");
  } finally {
    await db.close();
  }
}
