// Decides whether the production build in .next/ is still current, and runs `next build`
// when it is not. Shared by the demo (which serves the build) and the test run (e2e uses it).
import { existsSync } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { startChild, type ExitInfo, type ManagedChild } from "./processes.ts";

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
export async function checkNextBuild(root: string, opts: FreshnessOptions = {}): Promise<Freshness> {
  const buildId = path.join(root, ".next", "BUILD_ID");
  if (!existsSync(buildId)) return { fresh: false, reason: "there is no production build yet" };
  const builtAt = (await fs.stat(buildId)).mtimeMs;
  const excludes = (opts.excludes ?? NEXT_BUILD_EXCLUDES).map((e) => path.join(root, e));
  for (const input of opts.inputs ?? NEXT_BUILD_INPUTS) {
    const newer = await findNewerFile(path.join(root, input), builtAt, excludes);
    if (newer !== null) {
      return { fresh: false, reason: `${path.relative(root, newer)} changed since the last build` };
    }
  }
  return { fresh: true, reason: "the production build is up to date" };
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

/** Builds only when the build is stale; `exit` tells the caller whether a build that ran succeeded. */
export async function buildIfStale(
  root: string,
  env: NodeJS.ProcessEnv,
  log: (m: string) => void,
): Promise<BuildOutcome> {
  const freshness = await checkNextBuild(root);
  if (freshness.fresh) {
    log(`next build skipped: ${freshness.reason}`);
    return { built: false, reason: freshness.reason };
  }
  log(`next build: ${freshness.reason}`);
  const exit = await startNextBuild(root, env).exited;
  return { built: true, reason: freshness.reason, exit };
}
