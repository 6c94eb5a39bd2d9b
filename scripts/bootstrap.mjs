// Makes a fresh clone runnable: installs node_modules (which brings the project's own Node.js
// runtime, scripts/runtime.mjs) and generates the Prisma client when they are missing or
// stale, then checks the runtime. Plain Node with no dependencies, because it runs before
// node_modules exists, on whatever Node the machine has. `node scripts/bootstrap.mjs` runs it
// directly (and exits 1 with the reason when the runtime is unusable).
import { spawn } from "node:child_process";
import { existsSync, readFileSync, realpathSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { chooseRuntime, describeRuntime, runtimeEnv, withoutProjectBin } from "./runtime.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const LOCKFILE = path.join(ROOT, "package-lock.json");
// npm rewrites this copy of the lockfile on every install: older than the lockfile = stale.
const INSTALLED_LOCKFILE = path.join(ROOT, "node_modules", ".package-lock.json");
const SCHEMA = path.join(ROOT, "prisma", "schema.prisma");
const GENERATED_CLIENT = path.join(ROOT, "server", "generated", "prisma", "client.ts");
const PRISMA_CONFIG = path.join(ROOT, "prisma.config.ts");
const ENGINE_STUB = path.join(ROOT, "scripts", "prisma-schema-engine-unavailable.mjs");

/** @param {string} message */
function log(message) {
  console.log(`[bootstrap] ${message}`);
}

/** @param {string} file */
function mtimeMs(file) {
  return existsSync(file) ? statSync(file).mtimeMs : null;
}

/** @returns {string | null} why `npm ci` is needed, or null */
export function installReason() {
  const installed = mtimeMs(INSTALLED_LOCKFILE);
  if (!existsSync(path.join(ROOT, "node_modules")) || installed === null) {
    return "node_modules is missing";
  }
  const lock = mtimeMs(LOCKFILE);
  if (lock !== null && lock > installed) return "package-lock.json changed since the last install";
  return null;
}

/** @returns {string | null} why `prisma generate` is needed, or null */
export function generateReason() {
  const client = mtimeMs(GENERATED_CLIENT);
  if (client === null) return "the Prisma client has not been generated yet";
  const schema = mtimeMs(SCHEMA);
  if (schema !== null && schema > client) return "prisma/schema.prisma changed since the last generate";
  return null;
}

/**
 * Runs a command from the repository root. Its output is captured (and printed only on
 * failure) unless `inherit` is set, in which case it streams straight to the terminal.
 * @param {string} command
 * @param {string[]} args
 * @param {{ env?: NodeJS.ProcessEnv; inherit?: boolean }} [options]
 * @returns {Promise<void>}
 */
function run(command, args, options = {}) {
  const shown = [command, ...args].join(" ");
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: ROOT,
      env: options.env ?? process.env,
      stdio: options.inherit ? ["ignore", "inherit", "inherit"] : ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout?.on("data", (chunk) => (output += chunk));
    child.stderr?.on("data", (chunk) => (output += chunk));
    child.on("error", (err) => reject(new Error(`cannot run \`${shown}\`: ${err.message}`)));
    child.on("close", (code, signal) => {
      if (code === 0) return resolve();
      const status = signal ? `killed by ${signal}` : `exit code ${code}`;
      const detail = options.inherit ? "its output is above" : `its output:\n${output.trimEnd()}`;
      reject(new Error(`\`${shown}\` failed (${status}); ${detail}`));
    });
  });
}

/**
 * The Prisma CLI refuses to run without its native schema engine, which it downloads from
 * a host this project's machines cannot reach. `generate` only checks that the file exists,
 * so point it at a stub unless prisma.config.ts or the caller already chose an engine.
 * @returns {NodeJS.ProcessEnv}
 */
function prismaEnv() {
  // The Prisma CLI (`#!/usr/bin/env node`) runs on the project's runtime, like everything else.
  const env = runtimeEnv(process.env, ROOT);
  if (env.PRISMA_SCHEMA_ENGINE_BINARY) return env;
  const config = existsSync(PRISMA_CONFIG) ? readFileSync(PRISMA_CONFIG, "utf8") : "";
  if (config.includes("PRISMA_SCHEMA_ENGINE_BINARY")) return env;
  return { ...env, PRISMA_SCHEMA_ENGINE_BINARY: ENGINE_STUB };
}

/**
 * Installs dependencies and generates the Prisma client when needed, then returns the runtime
 * everything else must run on; throws with the failing command's output, or a RuntimeError
 * that says what to install.
 * @returns {Promise<import("./runtime.mjs").Runtime>}
 */
export async function bootstrap() {
  const install = installReason();
  if (install !== null) {
    // npm itself may run on an older system Node (it warns that nowcast's `engines` is not met):
    // it only installs; the installed runtime runs everything after this.
    // It runs without node_modules/.bin on its PATH: `npm ci` deletes the runtime installed there.
    log(`${install}: running npm ci --no-audit --no-fund`);
    await run("npm", ["ci", "--no-audit", "--no-fund"], {
      inherit: true,
      env: withoutProjectBin(process.env),
    });
  }
  const runtime = chooseRuntime();
  log(`runtime: ${describeRuntime(runtime)}`);
  // A fresh install may bring another Prisma version, whose generated client must match it.
  const generate = install !== null ? "dependencies were reinstalled" : generateReason();
  if (generate !== null) {
    log(`${generate}: running npx prisma generate`);
    await run("npx", ["--no", "prisma", "generate"], { env: prismaEnv() });
    log("Prisma client generated in server/generated/prisma");
  }
  return runtime;
}

function isMain() {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(entry)).href;
  } catch {
    return false;
  }
}

if (isMain()) {
  bootstrap().catch((err) => {
    console.error(`[bootstrap] ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
