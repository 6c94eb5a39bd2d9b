// Which Node.js runs Nowcast. The launchers (demo.mjs, test.mjs, bootstrap.mjs) start on
// whatever `node` the machine has (Node 20 here); Nowcast itself needs the version in
// package.json `engines`. npm installs that runtime into node_modules/.bin/node (the pinned
// `node-linux-<arch>` package, docs/decisions/0024-runtime.md), and everything after the
// install runs on it. Plain Node, no dependencies: this runs before node_modules exists.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export class RuntimeError extends Error {
  name = "RuntimeError";
}

/**
 * The minimum version from an `engines.node` range of the form `>=X.Y.Z` (the only form this
 * project writes, so a launcher can check it without a semver library).
 * @param {string} range
 * @returns {string}
 */
export function minimumFromRange(range) {
  const match = /^>=\s*(\d+\.\d+\.\d+)$/.exec(range.trim());
  if (!match?.[1]) {
    throw new RuntimeError(`package.json engines.node must be ">=X.Y.Z", not ${JSON.stringify(range)}`);
  }
  return match[1];
}

/**
 * @param {string} root
 * @returns {string} e.g. "24.22.3"
 */
export function requiredNodeVersion(root = ROOT) {
  const manifest = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8"));
  const range = manifest?.engines?.node;
  if (typeof range !== "string") throw new RuntimeError("package.json has no engines.node");
  return minimumFromRange(range);
}

/**
 * True when `version` (with or without a leading "v") is at least `minimum`.
 * @param {string} version
 * @param {string} minimum
 */
export function satisfies(version, minimum) {
  const parse = (/** @type {string} */ v) => v.replace(/^v/, "").split(".").map(Number);
  const have = parse(version);
  const need = parse(minimum);
  for (let i = 0; i < 3; i++) {
    const a = have[i] ?? 0;
    const b = need[i] ?? 0;
    if (!Number.isFinite(a)) return false;
    if (a !== b) return a > b;
  }
  return true;
}

/** @param {string} root */
export function projectNodePath(root = ROOT) {
  const bin = path.join(root, "node_modules", ".bin", "node");
  return existsSync(bin) ? bin : null;
}

/**
 * The version a node binary reports, or null when it does not run (e.g. a binary for another
 * platform).
 * @param {string} execPath
 * @returns {string | null}
 */
export function probeVersion(execPath) {
  const result = spawnSync(execPath, ["-p", "process.versions.node"], { encoding: "utf8", timeout: 10_000 });
  if (result.status !== 0) return null;
  const version = result.stdout.trim();
  return /^\d+\.\d+\.\d+/.test(version) ? version : null;
}

/**
 * @typedef {{ execPath: string; version: string; source: "node_modules" | "system" }} Runtime
 * @typedef {{
 *   root?: string;
 *   current?: { execPath: string; version: string };
 *   probe?: (execPath: string) => string | null;
 * }} RuntimeOptions
 */

/**
 * The project's own runtime (node_modules/.bin/node) when npm installed it, else the node
 * running this script if it is recent enough; otherwise a RuntimeError that says what to do.
 * @param {RuntimeOptions} [options]
 * @returns {Runtime}
 */
export function chooseRuntime(options = {}) {
  const root = options.root ?? ROOT;
  const current = options.current ?? { execPath: process.execPath, version: process.versions.node };
  const probe = options.probe ?? probeVersion;
  const minimum = requiredNodeVersion(root);
  const bin = projectNodePath(root);
  if (bin !== null) {
    const version = probe(bin);
    if (version !== null && satisfies(version, minimum))
      return { execPath: bin, version, source: "node_modules" };
    const found = version === null ? "does not run on this machine" : `is v${version}`;
    throw new RuntimeError(
      `node_modules/.bin/node ${found}, but Nowcast needs Node.js >= ${minimum}: ` +
        "delete node_modules and run the command again (npm ci installs the pinned runtime)",
    );
  }
  if (satisfies(current.version, minimum)) return { ...current, source: "system" };
  throw new RuntimeError(
    `Nowcast needs Node.js >= ${minimum} (package.json engines), but this is v${current.version} and ` +
      `npm installed no runtime of its own into node_modules/.bin (it ships one for Linux x64 and arm64 only). ` +
      `Install Node.js ${minimum.split(".")[0]} LTS and run the command again.`,
  );
}

/**
 * The environment for children: node_modules/.bin first on PATH, so `#!/usr/bin/env node`
 * tools (vitest, playwright, prisma, npx) run on the project's runtime too.
 * @param {NodeJS.ProcessEnv} env
 * @param {string} [root]
 * @returns {NodeJS.ProcessEnv}
 */
export function runtimeEnv(env, root = ROOT) {
  const bin = path.join(root, "node_modules", ".bin");
  const rest = withoutProjectBin(env, root).PATH ?? "";
  return { ...env, PATH: rest === "" ? bin : [bin, rest].join(path.delimiter) };
}

/**
 * The environment without node_modules/.bin on PATH (npm ci must not run on the runtime it
 * is about to delete and reinstall).
 * @param {NodeJS.ProcessEnv} env
 * @param {string} [root]
 * @returns {NodeJS.ProcessEnv}
 */
export function withoutProjectBin(env, root = ROOT) {
  const bin = path.join(root, "node_modules", ".bin");
  const entries = (env.PATH ?? "").split(path.delimiter).filter((p) => p !== "" && path.resolve(p) !== bin);
  return { ...env, PATH: entries.join(path.delimiter) };
}

/** @param {Runtime} runtime */
export function describeRuntime(runtime) {
  const where = runtime.source === "node_modules" ? "installed by npm" : "the system's";
  return `Node.js v${runtime.version} (${where}: ${runtime.execPath})`;
}
