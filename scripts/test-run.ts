// The body of `npm test` (scripts/test.mjs runs it after bootstrapping): starts PostgreSQL and
// NATS if needed, runs unit, integration and e2e tests, and ends with `N passed, N failed`.
// Totals come from the runners' JSON reports, never from their human-readable output.
import { existsSync, readFileSync } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { buildIfStale } from "./next-build.ts";
import { describeExit, startChild, stopAllChildren, type ExitInfo } from "./processes.ts";
import { ensureServices, loadDotEnv, maskUrl, type Services } from "./services.ts";
import {
  countPlaywright,
  countVitest,
  exitCodeFor,
  formatTable,
  stepResult,
  summaryLine,
  totalOf,
  type Counts,
  type StepResult,
} from "./test-results.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const RESULTS_DIR = path.join(ROOT, ".data", "test-results");
const BIN = path.join(ROOT, "node_modules", ".bin");

const log = (m: string): void => console.log(`[test] ${m}`);

let interrupted: NodeJS.Signals | null = null;
let services: Services | null = null;

async function main(): Promise<number> {
  process.chdir(ROOT);
  loadDotEnv();
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => void interrupt(signal));

  // Every step below runs on this runtime too (scripts/run-child.mjs put node_modules/.bin first on PATH).
  log(`runtime: ${runtimeLine()}`);
  const results: StepResult[] = [];
  try {
    services = await ensureServices({ dataDir: ".data", log: (m) => console.log(`[services] ${m}`) });
  } catch (err) {
    console.error(`[services] ${err instanceof Error ? err.message : String(err)}`);
    results.push(stepResult("services", "could not start", false, null));
    return finish(results);
  }
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: services.databaseUrl,
    NATS_URL: services.natsUrl,
  };
  log(`DATABASE_URL=${maskUrl(services.databaseUrl)} NATS_URL=${maskUrl(services.natsUrl)}`);
  await fs.mkdir(RESULTS_DIR, { recursive: true });

  const steps: Array<() => Promise<StepResult>> = [
    () => checkStep("typecheck", path.join(BIN, "tsc"), ["--noEmit"], env),
    () => checkStep("lint", path.join(BIN, "eslint"), ["."], env),
    () => checkStep("format", path.join(BIN, "prettier"), ["--check", "."], env),
    () => vitestStep("unit", env),
    () => vitestStep("integration", env),
    () => buildStep(env),
    // e2e serves the production build with the compiled roles: without them it can only fail.
    () =>
      results.at(-1)?.failed === 0 ? playwrightStep(env) : Promise.resolve(notRun("e2e", "the build failed")),
  ];
  for (const step of steps) {
    if (interrupted !== null) break;
    results.push(await step());
  }
  return finish(results);
}

async function vitestStep(project: "unit" | "integration", env: NodeJS.ProcessEnv): Promise<StepResult> {
  const report = path.join(RESULTS_DIR, `${project}.json`);
  const args = [
    "run",
    "--project",
    project,
    "--reporter=default",
    "--reporter=json",
    `--outputFile=${report}`,
  ];
  return runStep(project, path.join(BIN, "vitest"), args, env, report, countVitest);
}

/** A tool with no report of its own (type check, lint): it counts as one test. */
async function checkStep(
  step: string,
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<StepResult> {
  banner(step);
  const exit: ExitInfo = await startChild(step, command, args, { env, output: "inherit" }).exited;
  const ok = exit.code === 0;
  return stepResult(step, describeExit(exit), ok, {
    ...emptyCounts(),
    passed: ok ? 1 : 0,
    failed: ok ? 0 : 1,
  });
}

async function playwrightStep(env: NodeJS.ProcessEnv): Promise<StepResult> {
  const report = path.join(RESULTS_DIR, "e2e.json");
  const stepEnv = { ...env, PLAYWRIGHT_JSON_OUTPUT_NAME: report };
  return runStep(
    "e2e",
    path.join(BIN, "playwright"),
    ["test", "--reporter=list,json"],
    stepEnv,
    report,
    countPlaywright,
  );
}

/** `next build` and the compiled roles (dist/), each only when stale. */
async function buildStep(env: NodeJS.ProcessEnv): Promise<StepResult> {
  banner("build");
  const outcome = await buildIfStale(ROOT, env, log);
  const empty = emptyCounts();
  if (!outcome.built) return { ...stepResult("build", "skipped", true, empty), notes: ["up to date"] };
  const ok = outcome.exit.code === 0;
  const result = stepResult("build", describeExit(outcome.exit), ok, empty);
  result.notes = ok ? ["built"] : [`failed (${describeExit(outcome.exit)})`];
  return result;
}

/** Runs one runner, then reads its JSON report (deleted beforehand, so it is never stale). */
async function runStep(
  step: string,
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  reportFile: string,
  count: (report: unknown) => Counts,
): Promise<StepResult> {
  banner(step);
  await fs.rm(reportFile, { force: true });
  const exit: ExitInfo = await startChild(step, command, args, { env, output: "inherit" }).exited;
  return stepResult(step, describeExit(exit), exit.code === 0, readReport(step, reportFile, count));
}

function readReport(step: string, file: string, count: (report: unknown) => Counts): Counts | null {
  if (!existsSync(file)) return null;
  try {
    return count(JSON.parse(readFileSync(file, "utf8")));
  } catch (err) {
    console.error(
      `[test] ${step}: cannot read ${path.relative(ROOT, file)}: ${err instanceof Error ? err.message : String(err)}`,
    );
    return null;
  }
}

function notRun(step: string, why: string): StepResult {
  return { ...stepResult(step, "not run", true, emptyCounts()), notes: [`not run: ${why}`] };
}

function emptyCounts(): Counts {
  return { passed: 0, failed: 0, skipped: 0, flaky: 0, problems: [] };
}

function runtimeLine(): string {
  return `Node.js ${process.version} (${process.execPath})`;
}

function banner(step: string): void {
  console.log(`\n[test] ===== ${step} =====`);
}

/** Stops the services first (they log), so the summary's last line really is the last line. */
async function finish(results: StepResult[]): Promise<number> {
  if (interrupted !== null) {
    results.push({
      ...stepResult("interrupted", `received ${interrupted}`, false, null),
      notes: [`stopped by ${interrupted}`],
    });
  }
  await stopServices();
  const totals = totalOf(results);
  const problems = results.flatMap((r) => r.problems);
  console.log("");
  if (problems.length > 0)
    console.log(["Failures outside individual tests:", ...problems.map((p) => `  - ${p}`)].join("\n"));
  console.log(formatTable(results));
  console.log(`Runtime: ${runtimeLine()}`);
  console.log(summaryLine(totals));
  return exitCodeFor(totals);
}

async function stopServices(): Promise<void> {
  const current = services;
  services = null;
  await current
    ?.stop()
    .catch((err: unknown) => console.error(`[services] ${err instanceof Error ? err.message : String(err)}`));
}

/** Ctrl-C: stop the running step; main() then skips the remaining steps and reports. */
async function interrupt(signal: NodeJS.Signals): Promise<void> {
  if (interrupted !== null) return;
  interrupted = signal;
  console.error(`\n[test] ${signal}: stopping the running step`);
  await stopAllChildren();
}

main().then(
  (code) => process.exit(code),
  async (err: unknown) => {
    console.error(`[test] ${err instanceof Error ? err.message : String(err)}`);
    await stopAllChildren();
    await stopServices();
    console.log("0 passed, 1 failed");
    process.exit(1);
  },
);
