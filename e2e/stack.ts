import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream } from "node:fs";
import { mkdir } from "node:fs/promises";
import { createServer } from "node:net";
import path from "node:path";
import { compiledRoleCommand, type Role } from "../scripts/roles";

/** Where a test that restarts the web role leaves the new process's pid for the teardown. */
export const RESTARTED_WEB_PID_FILE = path.join(".data", "e2e-restarted-web.pid");

/** Where a role started by startRole writes its output. */
export const roleLogFile = (role: Role) => path.join(".data", `e2e-${role}.log`);

/**
 * Starts one Nowcast role, compiled (`npm run build` made dist/), as its own process group,
 * logging to .data/e2e-<role>.log: the browser tests run what production runs.
 */
export async function startRole(role: Role, env: Record<string, string>): Promise<ChildProcess> {
  const [command, args] = compiledRoleCommand(process.cwd(), role);
  await mkdir(".data", { recursive: true });
  const log = createWriteStream(roleLogFile(role), { flags: "a" });
  const child = spawn(command, args, {
    env: { ...process.env, ...env },
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  return child;
}

export async function stopRole(
  child: ChildProcess | undefined,
  signal: NodeJS.Signals = "SIGTERM",
): Promise<void> {
  if (!child?.pid || child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  try {
    process.kill(-child.pid, signal);
  } catch {
    return;
  }
  const timeout = setTimeout(() => child.pid && process.kill(-child.pid, "SIGKILL"), 5_000);
  await exited;
  clearTimeout(timeout);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

export async function waitForHealth(baseUrl: string, child: ChildProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`web exited with code ${child.exitCode} (see .data/e2e-web.log)`);
    try {
      const response = await fetch(`${baseUrl}/api/health`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`web did not become healthy at ${baseUrl} within ${timeoutMs} ms (see .data/e2e-web.log)`);
}
