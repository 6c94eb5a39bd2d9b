import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The real `processor` role as a child process (`tsx server/processor/main.ts`), for tests
 * that crash it. It runs in its own process group: tsx starts node as a second process, and
 * a SIGKILL must hit both at once, like a machine losing power.
 */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const TSX = path.join(REPO_ROOT, "node_modules", ".bin", "tsx");
const mainOf = (role: "processor" | "alerter") => path.join(REPO_ROOT, "server", role, "main.ts");
const OUTPUT_LIMIT = 64 * 1024;

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ProcessorProcess {
  readonly pid: number;
  /** Settles when the tsx wrapper has exited. */
  readonly exited: Promise<Exit>;
  /** Whether the wrapper is still running. */
  running(): boolean;
  /** The last 64 KiB of stdout and stderr, for failure messages. */
  output(): string;
  /** SIGKILL to the whole process group; resolves once the group is gone. */
  kill(): Promise<Exit>;
  /** SIGTERM to the wrapper (tsx relays it): a graceful stop. */
  terminate(): Promise<Exit>;
}

/**
 * Whether any process of group `pgid` still runs. Zombies do not count: they cannot run code
 * or hold sockets, and where PID 1 does not reap orphans (some containers) they never vanish.
 */
function groupRunning(pgid: number): boolean {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return false; // no procfs: trust the exit of the wrapper
  }
  return entries.some((entry) => {
    if (!/^\d+$/.test(entry)) return false;
    try {
      // "pid (comm) state ppid pgrp ..."; comm may contain spaces, so split after the ")".
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      return Number(pgrp) === pgid && state !== "Z" && state !== "X";
    } catch {
      return false; // exited while we looked
    }
  });
}

export function spawnProcessor(env: Record<string, string>): ProcessorProcess {
  return spawnRole("processor", env);
}

/** A role (`processor`, `alerter`) as a child process in its own process group. */
export function spawnRole(role: "processor" | "alerter", env: Record<string, string>): ProcessorProcess {
  const child = spawn(TSX, [mainOf(role)], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not spawn the ${role}`);
  let output = "";
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString("utf8")).slice(-OUTPUT_LIMIT);
  };
  child.stdout.on("data", collect);
  child.stderr.on("data", collect);
  let running = true;
  const exited = new Promise<Exit>((resolve) => {
    child.once("exit", (code, signal) => {
      running = false;
      resolve({ code, signal });
    });
  });

  return {
    pid,
    exited,
    running: () => running,
    output: () => output,
    async kill() {
      try {
        process.kill(-pid, "SIGKILL");
      } catch {
        // the whole group has exited already
      }
      const exit = await exited;
      // The node child got the same signal; wait until it is really dead so the next
      // processor never overlaps with a dying one.
      const deadline = Date.now() + 5_000;
      while (groupRunning(pid)) {
        if (Date.now() > deadline) throw new Error(`process group ${pid} survived SIGKILL`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return exit;
    },
    async terminate() {
      if (running) child.kill("SIGTERM");
      return exited;
    },
  };
}
