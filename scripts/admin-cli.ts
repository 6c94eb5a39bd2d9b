// What `npm run users` and `npm run keys` share: the audited admin context with actor "cli",
// and the announcement of revocations to running web instances (best effort over NATS).
import { connect, type NatsConnection } from "@nats-io/transport-node";
import type { AdminContext } from "../server/auth/admin-tx.ts";
import { AdminError } from "../server/auth/admin-tx.ts";
import { createAuth } from "../server/auth/auth.ts";
import { loadConfig, type Config } from "../server/config.ts";
import type { Revocation } from "../server/contract/auth.ts";
import { announceRevocation } from "../server/web/session-revocation.ts";
import { loadDotEnv } from "./services.ts";
import { createDbClients, type DbClients } from "../server/db/clients.ts";

export interface CliSession {
  ctx: AdminContext;
  /** Prisma for the commands' plain reads (key list). */
  prisma: DbClients["prisma"];
  config: Config;
  close(): Promise<void>;
}

/** Opens the database (and, lazily, NATS) for one command; `close` sends what is pending. */
export async function openCliSession(): Promise<CliSession> {
  loadDotEnv();
  const config = loadConfig();
  const db = createDbClients(config.DATABASE_URL, { max: 1, appName: "nowcast-cli" });
  const { pool } = db;
  // Only the password hasher is used: the scrypt parameters sign-in verifies with.
  const { password } = await createAuth(db.authPool, { ...config, NODE_ENV: "development" }).$context;
  const pending: Revocation[] = [];
  const ctx: AdminContext = {
    pool,
    actor: { kind: "system", name: "cli" },
    hashPassword: (plain) => password.hash(plain),
    onAccessChanged: (userId) => void pending.push({ userId }),
    onKeyRevoked: (apiKeyId) => void pending.push({ apiKeyId }),
  };
  return {
    ctx,
    prisma: db.prisma,
    config,
    async close() {
      try {
        if (pending.length > 0) await announce(config, pending);
      } finally {
        await db.close();
      }
    },
  };
}

async function announce(config: Config, revocations: Revocation[]): Promise<void> {
  let nc: NatsConnection | undefined;
  try {
    nc = await connect({
      servers: config.NATS_URL,
      name: "nowcast-cli",
      timeout: 3_000,
      maxReconnectAttempts: 0,
    });
    for (const revocation of revocations) announceRevocation(nc, config, revocation);
    await nc.flush();
  } catch (error) {
    console.error(
      `warning: could not tell running web instances (NATS: ${error instanceof Error ? error.message : String(error)}); ` +
        `open live pages are cut at their next session re-check, cached keys expire after AUTH_KEY_CACHE_TTL_MS`,
    );
  } finally {
    await nc?.close().catch(() => undefined);
  }
}

/** Runs a CLI `main`, mapping refusals (AdminError) to a message and exit code 1. */
export function runCli(main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      if (error instanceof AdminError) console.error(`refused (${error.code}): ${error.message}`);
      else console.error(error instanceof Error ? error.message : String(error));
      process.exit(1);
    },
  );
}
