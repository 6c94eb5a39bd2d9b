import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { createApiKey } from "../server/auth/api-keys";
import { createAuth } from "../server/auth/auth";
import { seedUsers } from "../server/auth/seed";
import { parseConfig } from "../server/config";
import { nowcastTypes } from "../server/db/int8";

/** Test users (fixed passwords, test database only) and the storage state files per role. */
export const E2E_PASSWORD = "e2e-password-correct-horse";
export const STORAGE_DIR = path.join(".data", "e2e-auth");
export const storageStateFor = (role: "viewer" | "analyst" | "admin") =>
  path.join(STORAGE_DIR, `${role}.json`);

/** Seeds the demo users with known passwords and an ingest key; returns the key. */
export async function seedE2eAccess(databaseUrl: string): Promise<string> {
  const pool = new pg.Pool({ connectionString: databaseUrl, types: nowcastTypes, max: 2 });
  try {
    const auth = createAuth(pool, parseConfig({ DATABASE_URL: databaseUrl }));
    await seedUsers(auth, pool, E2E_PASSWORD);
    // Same password for every test user, so specs can sign in as any role.
    const context = await auth.$context;
    await pool.query(`UPDATE accounts SET password = $1 WHERE provider_id = 'credential'`, [
      await context.password.hash(E2E_PASSWORD),
    ]);
    return (await createApiKey(pool, { name: "e2e ingest", scope: "ingest", createdBy: null })).secret;
  } finally {
    await pool.end();
  }
}

/** Signs in over HTTP as a seeded user; returns the `name=value` session cookie. */
export async function sessionCookie(baseUrl: string, role: "viewer" | "analyst" | "admin"): Promise<string> {
  const response = await fetch(`${baseUrl}/api/auth/sign-in/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: baseUrl },
    body: JSON.stringify({ email: `${role}@example.com`, password: E2E_PASSWORD }),
  });
  if (!response.ok)
    throw new Error(`e2e sign-in as ${role} failed: HTTP ${response.status} ${await response.text()}`);
  const cookie = response.headers.getSetCookie().find((c) => c.includes("session_token="));
  const [pair] = (cookie ?? "").split(";");
  if (!pair?.includes("=")) throw new Error(`e2e sign-in as ${role} set no session cookie`);
  return pair;
}

/** Signs in over HTTP and writes a Playwright storage state holding the session cookie. */
export async function writeStorageState(
  baseUrl: string,
  role: "viewer" | "analyst" | "admin",
): Promise<void> {
  const [name, value] = (await sessionCookie(baseUrl, role)).split(/=(.*)/s);
  if (!name || !value) throw new Error(`e2e sign-in as ${role} set no session cookie`);
  const { hostname } = new URL(baseUrl);
  const state = {
    cookies: [
      {
        name,
        value,
        domain: hostname,
        path: "/",
        expires: -1,
        httpOnly: true,
        secure: false,
        sameSite: "Lax",
      },
    ],
    origins: [],
  };
  await mkdir(STORAGE_DIR, { recursive: true });
  await writeFile(storageStateFor(role), JSON.stringify(state));
}
