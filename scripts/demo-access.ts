// First-run access for `npm run demo`: a persistent auth secret under .data/, the demo users
// (admin + one per role) and an ingest API key, with every secret printed once at creation;
// the simulator's score key, kept under .data/.
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { createApiKey, hashApiKey } from "../server/auth/api-keys.ts";
import { createAuth } from "../server/auth/auth.ts";
import { seedUsers } from "../server/auth/seed.ts";
import { parseConfig } from "../server/config.ts";
import { createDbClients } from "../server/db/clients.ts";

/** NOWCAST_AUTH_SECRET from the environment, or one generated on the first run and kept in .data/. */
export async function demoAuthSecret(dataDir: string, env: NodeJS.ProcessEnv): Promise<string> {
  if (env.NOWCAST_AUTH_SECRET) return env.NOWCAST_AUTH_SECRET;
  const file = path.join(dataDir, "auth-secret");
  if (existsSync(file)) return (await readFile(file, "utf8")).trim();
  await mkdir(dataDir, { recursive: true });
  const secret = randomBytes(32).toString("hex");
  await writeFile(file, `${secret}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  return secret;
}

/** Seeds users and a demo ingest key; returns the lines to print (secrets only when just created). */
export async function seedDemoAccess(env: NodeJS.ProcessEnv): Promise<string[]> {
  const config = parseConfig(env);
  // better-auth on the pool with pg's default parsing; Nowcast's own queries on the other.
  const db = createDbClients(config.DATABASE_URL, { max: 2 });
  const { pool } = db;
  try {
    const auth = createAuth(db.authPool, config);
    const users = await seedUsers(auth, pool, config.NOWCAST_ADMIN_PASSWORD);
    const lines = users.map((u) =>
      u.password
        ? `${u.role.padEnd(8)} ${u.email.padEnd(22)} password: ${u.password}`
        : `${u.role.padEnd(8)} ${u.email.padEnd(22)} (exists; its password was printed when it was created)`,
    );
    const keys = await pool.query(`SELECT 1 FROM api_keys WHERE name = 'demo ingest' AND revoked_at IS NULL`);
    if (!keys.rowCount) {
      const { secret } = await createApiKey(pool, { name: "demo ingest", scope: "ingest", createdBy: null });
      lines.push(`ingest API key (for POST /api/ingest): ${secret}`);
    }
    return lines;
  } finally {
    await db.close();
  }
}

/**
 * The `score` key the demo's simulator sends card transactions with: kept in .data/ (mode 600)
 * so later runs reuse it; made again when the file is missing or its key was revoked.
 */
export async function demoScoreKey(dataDir: string, env: NodeJS.ProcessEnv): Promise<string> {
  const config = parseConfig(env);
  const file = path.join(dataDir, "simulator-score-key");
  const db = createDbClients(config.DATABASE_URL, { max: 1 });
  const { pool } = db;
  try {
    if (existsSync(file)) {
      const kept = (await readFile(file, "utf8")).trim();
      const live = await pool.query(`SELECT 1 FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL`, [
        hashApiKey(kept),
      ]);
      if (live.rowCount) return kept;
    }
    const { secret } = await createApiKey(pool, {
      name: "demo simulator (score)",
      scope: "score",
      createdBy: null,
    });
    await mkdir(dataDir, { recursive: true });
    await writeFile(file, `${secret}\n`, { mode: 0o600 });
    await chmod(file, 0o600);
    return secret;
  } finally {
    await db.close();
  }
}
