// Child processes for the demo and test runners: each in its own process group, so stopping
// one also stops everything it started (tsx, Next's build workers, browsers), and a Ctrl-C
// aimed at the runner does not reach them before the runner decides the order.
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ManagedChild {
  readonly role: string;
  readonly child: ChildProcess;
  /** Resolves when the process exits (or fails to start: code null, signal null). */
  readonly exited: Promise<ExitInfo>;
}

export interface StartOptions {
  env: NodeJS.ProcessEnv;
  /** "prefix": each output line is written as `[role] line`; "inherit": straight to our terminal. */
  output: "prefix" | "inherit";
}

/** Every child started and not yet exited, so a shutdown can stop whatever is running. */
const running = new Set<ManagedChild>();

/**
 * `node --import tsx <script>` rather than the tsx CLI: the CLI is an extra process that
 * SIGKILLs its child when the child does not acknowledge SIGTERM within ~30 ms, which cuts
 * a busy server's graceful shutdown short.
 */
export function tsxCommand(script: string, args: string[] = []): [string, string[]] {
  return [process.execPath, ["--import", "tsx", script, ...args]];
}

export function startChild(role: string, command: string, args: string[], opts: StartOptions): ManagedChild {
  const child = spawn(command, args, {
    env: opts.env,
    detached: true,
    // No stdin: a background process group reading the terminal would be stopped (SIGTTIN).
    stdio: opts.output === "inherit" ? ["ignore", "inherit", "inherit"] : ["ignore", "pipe", "pipe"],
  });
  if (opts.output === "prefix") {
    pipeWithPrefix(child.stdout, `[${role}] `, process.stdout);
    pipeWithPrefix(child.stderr, `[${role}] `, process.stderr);
  }
  const exited = new Promise<ExitInfo>((resolve) => {
    child.once("exit", (code, signal) => resolve({ code, signal }));
    child.once("error", (err) => {
      process.stderr.write(`[${role}] cannot start ${command}: ${err.message}\n`);
      resolve({ code: null, signal: null });
    });
  });
  const managed: ManagedChild = { role, child, exited };
  running.add(managed);
  void exited.then(() => running.delete(managed));
  return managed;
}

/** Writes each complete line of `input` to `output` with `prefix` in front. */
export function pipeWithPrefix(input: Readable | null, prefix: string, output: Writable): void {
  if (input === null) return;
  const lines = createInterface({ input, crlfDelay: Infinity });
  lines.on("line", (line) => output.write(`${prefix}${line}\n`));
}

/**
 * SIGTERM to the child's process group; SIGKILL after `graceMs`. The group is killed once
 * more after the leader exits, so no grandchild outlives it.
 */
export async function stopChild(managed: ManagedChild, graceMs = 5000): Promise<ExitInfo> {
  const { child } = managed;
  if (child.exitCode === null && child.signalCode === null) {
    signalGroup(child, "SIGTERM");
    const inTime = await settlesWithin(managed.exited, graceMs);
    if (!inTime) {
      process.stderr.write(`[${managed.role}] did not stop within ${graceMs / 1000} s: killing it\n`);
      signalGroup(child, "SIGKILL");
    }
  }
  const info = await managed.exited;
  signalGroup(child, "SIGKILL");
  return info;
}

/** Stops every running child, all at once (each gets its own grace period). */
export async function stopAllChildren(graceMs = 5000): Promise<void> {
  await Promise.all([...running].map((m) => stopChild(m, graceMs)));
}

/**
 * True if `promise` settles within `ms`. Unlike racing a plain sleep(), the timer is cleared,
 * so a finished wait does not keep the process alive for the rest of the timeout.
 */
export async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([
      promise.then(
        () => true,
        () => true,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // the group is gone already
  }
}

export function describeExit(info: ExitInfo): string {
  if (info.signal !== null) return `killed by ${info.signal}`;
  if (info.code === null) return "could not be started";
  return `exit code ${info.code}`;
}

/** Polls `url` until it answers 200; gives up after `timeoutMs` or when `gaveUp()` says so. */
export async function waitForHttpOk(
  url: string,
  timeoutMs: number,
  gaveUp: () => string | null,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: string;
  for (;;) {
    const reason = gaveUp();
    if (reason !== null) throw new Error(reason);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (response.status === 200) return;
      last = `HTTP ${response.status}`;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    if (Date.now() > deadline)
      throw new Error(`${url} did not answer 200 within ${timeoutMs / 1000} s (last: ${last})`);
    await sleep(500);
  }
}
