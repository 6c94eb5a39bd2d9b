// Runs a TypeScript entry point (scripts/demo.ts, scripts/test-run.ts) as the child of a
// plain-Node launcher, on the project's runtime (scripts/runtime.mjs), and forwards stop
// signals to it. Plain Node, no dependencies.
import { spawn } from "node:child_process";
import { constants } from "node:os";
import path from "node:path";
import { clearInterval, setInterval } from "node:timers";
import { fileURLToPath } from "node:url";
import { runtimeEnv } from "./runtime.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/**
 * Runs `<runtime> --import tsx <script>` and resolves with its exit code. The launcher itself
 * may run on an older system Node; the child and everything it starts run on `runtime`
 * (node_modules/.bin comes first on the child's PATH).
 *
 * Why not `node_modules/.bin/tsx <script>`: the tsx CLI is a second process that relays
 * SIGINT/SIGTERM and SIGKILLs its child if the child does not acknowledge the signal within
 * ~30 ms, which skips a busy child's cleanup. `--import tsx` loads the same TypeScript
 * support inside a single process.
 *
 * The child gets its own process group (detached), so a Ctrl-C in the terminal reaches only
 * this launcher, which forwards it: the child then stops what it started in order (its
 * servers before the databases they use) instead of everything dying at once.
 * @param {import("./runtime.mjs").Runtime} runtime from chooseRuntime()
 * @param {string} script path relative to the repository root
 * @param {string[]} [args]
 * @returns {Promise<number>}
 */
export function runTypeScript(runtime, script, args = []) {
  return new Promise((resolve, reject) => {
    const child = spawn(runtime.execPath, ["--import", "tsx", script, ...args], {
      cwd: ROOT,
      env: runtimeEnv(process.env, ROOT),
      stdio: ["ignore", "inherit", "inherit"],
      detached: true,
    });
    /** @param {NodeJS.Signals} signal */
    const forward = (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    };
    const onInt = () => forward("SIGINT");
    const onTerm = () => forward("SIGTERM");
    process.on("SIGINT", onInt);
    process.on("SIGTERM", onTerm);
    // A closed terminal: the child does not handle SIGHUP, so ask it to stop cleanly.
    process.on("SIGHUP", onTerm);

    // If whoever started us dies (npm killed with SIGTERM does not pass it on), the detached
    // child would run on unseen: notice the re-parenting and stop it.
    const parent = process.ppid;
    const orphanWatch = setInterval(() => {
      if (process.ppid !== parent) forward("SIGTERM");
    }, 1000);
    orphanWatch.unref();

    child.on("error", (err) => {
      clearInterval(orphanWatch);
      reject(new Error(`cannot start ${script}: ${err.message}`));
    });
    child.on("exit", (code, signal) => {
      clearInterval(orphanWatch);
      process.off("SIGINT", onInt);
      process.off("SIGTERM", onTerm);
      process.off("SIGHUP", onTerm);
      resolve(code ?? 128 + (signal ? constants.signals[signal] : 0));
    });
  });
}
