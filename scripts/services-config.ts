// Pure decisions behind scripts/services.ts: which PostgreSQL / NATS to use and how to
// describe them. Kept free of I/O so the unit tests can cover every branch.

export const DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/nowcast";
export const DEFAULT_NATS_URL = "nats://127.0.0.1:4222";

/** The embedded cluster's fixed login; it only listens on localhost. */
export const EMBEDDED_PG_USER = "postgres";
export const EMBEDDED_PG_PASSWORD = "nowcast";
/** Used when the default 5432 is unusable, so we never fight a system PostgreSQL for its port. */
export const EMBEDDED_PG_FALLBACK_PORT = 54329;

const DEFAULT_PG_PORT = 5432;
const DEFAULT_NATS_PORT = 4222;

export interface PostgresTarget {
  /** The URL exactly as configured (returned unchanged when that server is usable). */
  readonly raw: string;
  readonly url: URL;
  /**
   * True when DATABASE_URL is set to something other than our default. A copy of the
   * default (e.g. from an example .env) keeps the default's freedom to fall back.
   */
  readonly explicit: boolean;
  readonly host: string;
  readonly port: number;
  /** True when the URL names a port; otherwise 5432 is implied. */
  readonly portExplicit: boolean;
  readonly database: string;
}

export function parsePostgresTarget(envValue: string | undefined): PostgresTarget {
  const given = envValue?.trim() ?? "";
  const raw = given === "" ? DEFAULT_DATABASE_URL : given;
  const explicit = raw !== DEFAULT_DATABASE_URL;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`DATABASE_URL is not a valid URL: ${maskUrl(raw)}`);
  }
  if (url.protocol !== "postgresql:" && url.protocol !== "postgres:") {
    throw new Error(`DATABASE_URL must start with postgresql:// (got ${url.protocol}//): ${maskUrl(raw)}`);
  }
  const database = decodeURIComponent(url.pathname.replace(/^\//, ""));
  if (database === "") {
    throw new Error(`DATABASE_URL names no database (expected …/nowcast): ${maskUrl(raw)}`);
  }
  return {
    raw,
    url,
    explicit,
    host: url.hostname === "" ? "127.0.0.1" : url.hostname,
    port: url.port === "" ? DEFAULT_PG_PORT : Number(url.port),
    portExplicit: url.port !== "",
    database,
  };
}

/** Same server and credentials, but the `postgres` maintenance database (always present). */
export function maintenanceUrl(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  url.pathname = "/postgres";
  return url.href;
}

/** The URL of the embedded cluster: our fixed login, the caller's database and query options. */
export function embeddedUrl(target: PostgresTarget, port: number): string {
  const url = new URL(target.url.href);
  url.username = EMBEDDED_PG_USER;
  url.password = EMBEDDED_PG_PASSWORD;
  url.hostname = "127.0.0.1";
  url.port = String(port);
  return url.href;
}

export function isLocalHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "127.0.0.1" || h === "localhost" || h === "::1";
}

export type ProbeOutcome =
  /** Nothing usable answered (refused, timed out, unknown host). */
  | { kind: "unreachable"; reason: string }
  /** A server answered but refused us (authentication, missing role, …). */
  | { kind: "rejected"; reason: string };

export type PostgresPlan =
  { action: "embedded"; port: number; why: string } | { action: "fail"; message: string };

/**
 * Where an embedded PostgreSQL for this target listens, or null when none may be started:
 * only for a local URL (or our default), since a remote URL that fails is the user's to fix.
 * An explicit URL with a port gets that port; otherwise 54329, because the default 5432
 * belongs to a system PostgreSQL if one exists.
 */
export function embeddedPortFor(target: PostgresTarget): number | null {
  if (target.explicit && !isLocalHost(target.host)) return null;
  if (target.explicit && target.portExplicit) return target.port;
  return EMBEDDED_PG_FALLBACK_PORT;
}

/** What to do when the configured PostgreSQL cannot be used. */
export function planPostgresFallback(target: PostgresTarget, probe: ProbeOutcome): PostgresPlan {
  const where = `${target.host}:${target.port}`;
  const problem =
    probe.kind === "unreachable"
      ? `nothing usable answers on ${where} (${probe.reason})`
      : `the PostgreSQL on ${where} refused our login (${probe.reason})`;
  const port = embeddedPortFor(target);
  if (port === null) {
    return {
      action: "fail",
      message: `DATABASE_URL points at ${where}, but ${problem}. Fix DATABASE_URL or start that server; an embedded PostgreSQL is only started for 127.0.0.1/localhost.`,
    };
  }
  if (port === target.port && probe.kind === "rejected") {
    // The port is taken by a server we cannot log in to: nothing of ours can start there.
    return {
      action: "fail",
      message: `DATABASE_URL asks for port ${target.port}, but ${problem}. Use credentials that server accepts, or pick a free port for the embedded PostgreSQL.`,
    };
  }
  return { action: "embedded", port, why: problem };
}

const UNREACHABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EADDRNOTAVAIL",
]);

/** node-postgres errors: network failures mean "unreachable", anything from a server means "rejected". */
export function classifyPgError(err: unknown): ProbeOutcome {
  const reason = errorText(err);
  const codes = errorCodes(err);
  if (codes.some((c) => UNREACHABLE_CODES.has(c))) return { kind: "unreachable", reason };
  // pg reports its own connect timeout and an early hang-up without a code.
  if (/connection timeout|Connection terminated unexpectedly|timeout expired/i.test(reason)) {
    return { kind: "unreachable", reason };
  }
  return { kind: "rejected", reason };
}

/** PostgreSQL's "the database system is starting up": worth waiting for, not a refusal. */
export function isPgStartingUp(err: unknown): boolean {
  return errorCodes(err).includes("57P03");
}

function errorCodes(err: unknown): string[] {
  const codes: string[] = [];
  const visit = (e: unknown): void => {
    if (typeof e !== "object" || e === null) return;
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string") codes.push(code);
    // Node wraps per-address failures (IPv4 + IPv6 for "localhost") in an AggregateError.
    const inner = (e as { errors?: unknown }).errors;
    if (Array.isArray(inner)) inner.forEach(visit);
  };
  visit(err);
  return codes;
}

export function errorText(err: unknown): string {
  if (err instanceof Error) {
    if (err.message !== "") return err.message;
    const codes = errorCodes(err);
    if (codes.length > 0) return codes.join(", ");
    return err.name;
  }
  return String(err);
}

/** Double-quotes an SQL identifier (CREATE DATABASE cannot take a bind parameter). */
export function quoteIdentifier(name: string): string {
  if (name.includes("\0")) throw new Error("an SQL identifier cannot contain a NUL character");
  return `"${name.replaceAll('"', '""')}"`;
}

/** Hides the password(s) of a connection URL (or a comma-separated list) so it can be printed. */
export function maskUrl(raw: string): string {
  return raw
    .split(",")
    .map((part) => {
      try {
        const url = new URL(part.trim());
        if (url.password !== "") url.password = "***";
        return part.startsWith(" ") ? ` ${url.href}` : url.href;
      } catch {
        // Not parseable: blank out anything that looks like user:password@.
        return part.replace(/\/\/([^:/@]*):[^@/]*@/, "//$1:***@");
      }
    })
    .join(",");
}

export interface NatsTarget {
  readonly raw: string;
  /** Passed to connect(); NATS_URL may list several servers separated by commas. */
  readonly servers: string[];
  readonly explicit: boolean;
  /** Host and port of the first server: where we would start our own nats-server. */
  readonly host: string;
  readonly port: number;
}

export function parseNatsTarget(envValue: string | undefined): NatsTarget {
  const explicit = envValue !== undefined && envValue.trim() !== "";
  const raw = explicit ? envValue.trim() : DEFAULT_NATS_URL;
  const servers = raw
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  const first = servers[0] ?? DEFAULT_NATS_URL;
  let url: URL;
  try {
    url = new URL(first.includes("://") ? first : `nats://${first}`);
  } catch {
    throw new Error(`NATS_URL is not a valid URL: ${maskUrl(first)}`);
  }
  return {
    raw,
    servers,
    explicit,
    host: url.hostname === "" ? "127.0.0.1" : url.hostname,
    port: url.port === "" ? DEFAULT_NATS_PORT : Number(url.port),
  };
}

/** "nats-server: v2.9.10" → [2, 9, 10]; null when the output is not a version line. */
export function parseNatsServerVersion(output: string): [number, number, number] | null {
  const m = /v?(\d+)\.(\d+)\.(\d+)/.exec(output);
  if (m === null) return null;
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

/** JetStream as the processor uses it needs 2.9 (Debian bookworm ships 2.9.10). */
export function natsServerVersionSupported(version: [number, number, number]): boolean {
  const [major, minor] = version;
  return major > 2 || (major === 2 && minor >= 9);
}

export const NATS_INSTALL_HINT =
  "install nats-server 2.9+ (e.g. `sudo apt-get install nats-server`) or set NATS_URL to a server with JetStream";

/** First line of postmaster.pid is the postmaster's pid, the fourth its port. */
export function parsePostmasterPid(text: string): { pid: number; port: number | null } | null {
  const lines = text.split("\n");
  const pid = Number.parseInt(lines[0] ?? "", 10);
  if (!Number.isInteger(pid) || pid <= 0) return null;
  const port = Number.parseInt(lines[3] ?? "", 10);
  return { pid, port: Number.isInteger(port) && port > 0 ? port : null };
}
