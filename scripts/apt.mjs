// Installs Debian packages on demand (nats-server for the services, chromium for the e2e
// tests), so `npm run demo` / `npm test` work on a fresh Debian machine. Plain Node, no
// dependencies: test.mjs uses it before node_modules is guaranteed to exist.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";

const LOCK_ATTEMPTS = 10;
const LOCK_PAUSE_MS = 3000;
// apt-get's messages when another apt/dpkg (often unattended-upgrades) holds a lock.
const LOCK_BUSY =
  /Could not get lock|Unable to acquire the dpkg frontend lock|Unable to lock directory|is held by process/i;

/** True when we may install packages ourselves: root on a Debian-based system. */
export function canUseApt() {
  return process.getuid?.() === 0 && existsSync("/etc/debian_version");
}

/**
 * `apt-get update` then `apt-get install -y <packages>`, retrying while the dpkg lock is busy.
 * apt's output streams to stderr so a long install visibly progresses.
 * @param {string[]} packages
 * @returns {Promise<void>}
 */
export async function aptInstall(packages) {
  await aptGet(["update"]);
  await aptGet(["install", "-y", ...packages]);
}

/** @param {string[]} args */
async function aptGet(args) {
  for (let attempt = 1; ; attempt++) {
    const { code, output } = await runApt(args);
    if (code === 0) return;
    if (LOCK_BUSY.test(output) && attempt < LOCK_ATTEMPTS) {
      process.stderr.write(
        `apt-get ${args[0]}: the dpkg/apt lock is busy, retrying in ${LOCK_PAUSE_MS / 1000} s (attempt ${attempt}/${LOCK_ATTEMPTS})\n`,
      );
      await sleep(LOCK_PAUSE_MS);
      continue;
    }
    const why = LOCK_BUSY.test(output)
      ? `the dpkg/apt lock stayed busy for ${LOCK_ATTEMPTS} attempts`
      : `exit code ${code}`;
    throw new Error(`\`apt-get ${args.join(" ")}\` failed (${why}); its output is above.`);
  }
}

/**
 * @param {string[]} args
 * @returns {Promise<{ code: number; output: string }>}
 */
function runApt(args) {
  return new Promise((resolve, reject) => {
    const child = spawn("apt-get", args, {
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    const keep = (/** @type {Buffer} */ chunk) => {
      process.stderr.write(chunk);
      // Only the tail matters for recognising a lock message.
      output = (output + chunk.toString("utf8")).slice(-16384);
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    child.on("error", (err) => reject(new Error(`cannot run apt-get: ${err.message}`)));
    child.on("close", (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), output }));
  });
}
