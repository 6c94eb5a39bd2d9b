// Decides whether the production builds are still current — Next's in .next/ and the compiled
// roles in dist/ (scripts/server-build.ts) — and rebuilds the stale one(s). Shared by the demo
// (which serves the build and runs the compiled roles) and the test run (e2e uses both).
import { existsSync } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { startChild, type ExitInfo, type ManagedChild } from "./processes.ts";
import { buildServer, SERVER_BUILD_INPUTS, SERVER_BUILD_STAMP } from "./server-build.ts";

/** Everything the build reads that we edit; paths that do not exist are ignored. */
export const NEXT_BUILD_INPUTS = [
  "app",
  "components",
  "server",
  "lib",
  "next.config.mjs",
  "next.config.ts",
  "tsconfig.json",
  "postcss.config.mjs",
  "package-lock.json",
];

/** Generated code follows the schema (bootstrap regenerates it), and tests are not built. */
export const NEXT_BUILD_EXCLUDES = ["server/generated"];
const TEST_FILE = /\.(test|spec)\.[cm]?[jt]sx?$/;

export interface Freshness {
  fresh: boolean;
  /** Human-readable: why a build is (not) needed. */
  reason: string;
}

export interface FreshnessOptions {
  inputs?: readonly string[];
  excludes?: readonly string[];
}

/** Fresh when .next/BUILD_ID exists and is newer than every input file. */
export function checkNextBuild(root: string, opts: FreshnessOptions = {}): Promise<Freshness> {
  return checkStamp(
    root,
    path.join(".next", "BUILD_ID"),
    { what: "production build", last: "build" },
    {
      inputs: opts.inputs ?? NEXT_BUILD_INPUTS,
      excludes: opts.excludes ?? NEXT_BUILD_EXCLUDES,
    },
  );
}

/** Fresh when dist/BUILD_ID exists and is newer than every input, the generated client included. */
export function checkServerBuild(root: string, opts: FreshnessOptions = {}): Promise<Freshness> {
  return checkStamp(
    root,
    SERVER_BUILD_STAMP,
    { what: "server build", last: "server build" },
    {
      inputs: opts.inputs ?? SERVER_BUILD_INPUTS,
      excludes: opts.excludes ?? [],
    },
  );
}

async function checkStamp(
  root: string,
  stamp: string,
  { what, last }: { what: string; last: string },
  opts: Required<FreshnessOptions>,
): Promise<Freshness> {
  const stampFile = path.join(root, stamp);
  if (!existsSync(stampFile)) return { fresh: false, reason: `there is no ${what} yet` };
  const builtAt = (await fs.stat(stampFile)).mtimeMs;
  const excludes = opts.excludes.map((e) => path.join(root, e));
  for (const input of opts.inputs) {
    const newer = await findNewerFile(path.join(root, input), builtAt, excludes);
    if (newer !== null) {
      return { fresh: false, reason: `${path.relative(root, newer)} changed since the last ${last}` };
    }
  }
  return { fresh: true, reason: `the ${what} is up to date` };
}

/** The first file under `target` (a file or directory) modified after `since`, or null. */
async function findNewerFile(
  target: string,
  since: number,
  excludes: readonly string[],
): Promise<string | null> {
  if (excludes.includes(target)) return null;
  let stat;
  try {
    stat = await fs.stat(target);
  } catch {
    return null; // optional input that does not exist
  }
  if (stat.isFile()) return !TEST_FILE.test(target) && stat.mtimeMs > since ? target : null;
  if (!stat.isDirectory()) return null;
  for (const entry of await fs.readdir(target)) {
    if (entry === "node_modules") continue;
    const found = await findNewerFile(path.join(target, entry), since, excludes);
    if (found !== null) return found;
  }
  return null;
}

/** `node node_modules/next/dist/bin/next build` with its output on our terminal. */
export function startNextBuild(root: string, env: NodeJS.ProcessEnv): ManagedChild {
  return startChild(
    "next build",
    process.execPath,
    [path.join(root, "node_modules/next/dist/bin/next"), "build"],
    {
      env,
      output: "inherit",
    },
  );
}

export type BuildOutcome = { built: false; reason: string } | { built: true; reason: string; exit: ExitInfo };

/**
 * Rebuilds whichever of the two builds is stale (Next first: the server build is quick);
 * `exit` tells the caller whether the builds that ran succeeded.
 */
export async function buildIfStale(
  root: string,
  env: NodeJS.ProcessEnv,
  log: (m: string) => void,
): Promise<BuildOutcome> {
  const next = await checkNextBuild(root);
  const server = await checkServerBuild(root);
  if (next.fresh && server.fresh) {
    log(`build skipped: ${next.reason}, ${server.reason}`);
    return { built: false, reason: `${next.reason}; ${server.reason}` };
  }
  const reasons = [next, server].filter((f) => !f.fresh).map((f) => f.reason);
  const reason = reasons.join("; ");
  if (!next.fresh) {
    log(`next build: ${next.reason}`);
    const exit = await startNextBuild(root, env).exited;
    if (exit.code !== 0) return { built: true, reason, exit };
  }
  if (!server.fresh) {
    log(`server build: ${server.reason}`);
    const exit = await buildServer(root).then(
      (): ExitInfo => ({ code: 0, signal: null }),
      (error: unknown): ExitInfo => {
        console.error(`[build] ${error instanceof Error ? error.message : String(error)}`);
        return { code: 1, signal: null };
      },
    );
    return { built: true, reason, exit };
  }
  return { built: true, reason, exit: { code: 0, signal: null } };
}
