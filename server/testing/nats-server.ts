import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, rm } from "node:fs/promises";
import { connect } from "node:net";
import path from "node:path";
import { freePort } from "./embedded-postgres";
import { REPO_ROOT } from "./processor-process";

/**
 * A NATS server with JetStream of a test's own (Debian's binary), for tests that take NATS
 * away: stop() ends only this process, start() brings it back on the same port and store.
 */
export interface OwnNatsServer {
  url: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  destroy(): Promise<void>;
}

const BINARY = "/usr/sbin/nats-server";

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
  });
}

export async function startOwnNatsServer(): Promise<OwnNatsServer> {
  const port = await freePort();
  const dir = path.join(REPO_ROOT, ".data", `test-nats-${randomBytes(4).toString("hex")}`);
  await mkdir(dir, { recursive: true });
  let child: ChildProcess | undefined;
  let output = "";
  const server: OwnNatsServer = {
    url: `nats://127.0.0.1:${port}`,
    async start() {
      const started = spawn(BINARY, ["-a", "127.0.0.1", "-p", String(port), "-js", "-sd", dir], {
        stdio: ["ignore", "pipe", "pipe"],
      });
      child = started;
      started.stdout?.on("data", (chunk: Buffer) => (output = (output + chunk.toString()).slice(-8192)));
      started.stderr?.on("data", (chunk: Buffer) => (output = (output + chunk.toString()).slice(-8192)));
      for (let i = 0; i < 100; i++) {
        if (started.exitCode !== null) throw new Error(`nats-server exited: ${output}`);
        if (await listening(port)) return;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(`nats-server did not listen on ${port}: ${output}`);
    },
    async stop() {
      const running = child;
      child = undefined;
      if (!running || running.exitCode !== null) return;
      const exited = new Promise((resolve) => running.once("exit", resolve));
      running.kill("SIGKILL");
      await exited;
    },
    async destroy() {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
  await server.start();
  return server;
}
