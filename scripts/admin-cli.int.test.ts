// `npm run users` and `npm run keys` as an operator runs them: child processes against a
// database of the test's own, audited as "cli", announcing revocations on NATS.
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import type { NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyApiKey } from "../server/auth/api-keys";
import { natsNames } from "../server/config";
import { createDbClients, type DbClients } from "../server/db/clients";
import { connectNats } from "../server/nats/streams";
import { signIn, startAuthTestStack, type AuthTestStack } from "../server/testing/auth";
import { eventually, NATS_URL, uniqueName } from "../server/testing/harness";

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, "..");
const namespace = uniqueName("tcli");
let stack: AuthTestStack;
let db: DbClients;
let nc: NatsConnection;
const announced: unknown[] = [];

async function cli(script: "users" | "keys", ...args: string[]) {
  const env = { ...process.env, DATABASE_URL: stack.database.url, NATS_URL, NOWCAST_NAMESPACE: namespace };
  return run(process.execPath, ["--import", "tsx", `scripts/${script}.ts`, ...args], { cwd: ROOT, env }).then(
    (out) => ({ code: 0, ...out }),
    (error: { code: number; stdout: string; stderr: string }) => error,
  );
}

beforeAll(async () => {
  stack = await startAuthTestStack(namespace, { adminPassword: "admin-password-123", signInPerMinute: 100 });
  db = createDbClients(stack.database.url, { max: 2 });
  nc = await connectNats(NATS_URL, "cli-test");
  nc.subscribe(`${natsNames(namespace).liveSubjectPrefix}.auth.revoked`, {
    callback: (_, message) => void announced.push(message.json()),
  });
  await nc.flush();
});

afterAll(async () => {
  await nc?.close();
  await db?.close();
  await stack?.close();
});

const userRow = async (email: string) =>
  (
    await db.pool.query<{ id: string; role: string; banned: boolean }>(
      `SELECT id, role, banned FROM users WHERE email = $1`,
      [email],
    )
  ).rows[0];
const cliAudit = async (action: string) =>
  (
    await db.pool.query(`SELECT target_label FROM audit_log WHERE actor_email = 'cli' AND action = $1`, [
      action,
    ])
  ).rows;

describe("npm run users", () => {
  it("creates the first admin of an installation; the printed password signs in", async () => {
    const { code, stdout } = await cli(
      "users",
      "create",
      "Ops.Lead@example.com",
      "--role",
      "admin",
      "--name",
      "Ops lead",
    );
    expect(code).toBe(0);
    const password = /password \(shown once\): (\S+)/.exec(stdout)?.[1] ?? "";
    expect(password).toHaveLength(24);
    expect(await userRow("ops.lead@example.com")).toMatchObject({ role: "admin", banned: false });
    expect((await signIn(stack.auth, "ops.lead@example.com", password, "10.8.0.1")).status).toBe(200);
    expect(await cliAudit("user.create")).toEqual([{ target_label: "ops.lead@example.com" }]);
  });

  it("refuses a bad role or a taken email with a message, changing nothing", async () => {
    const badRole = await cli("users", "create", "x@example.com", "--role", "root");
    expect(badRole.code).toBe(2);
    expect(badRole.stderr).toMatch(/^role:/);
    const taken = await cli("users", "create", "ops.lead@example.com", "--role", "viewer");
    expect(taken.code).toBe(1);
    expect(taken.stderr).toContain("refused (conflict)");
    expect(await userRow("x@example.com")).toBeUndefined();
  });

  it("promotes a disabled viewer to an active admin and cuts its sockets everywhere", async () => {
    const viewer = await userRow("viewer@example.com");
    await db.pool.query(`UPDATE users SET banned = true WHERE email = 'viewer@example.com'`);
    const { code, stdout } = await cli("users", "promote", "viewer@example.com");
    expect(code, stdout).toBe(0);
    expect(await userRow("viewer@example.com")).toMatchObject({ role: "admin", banned: false });
    expect((await cliAudit("user.role")).length + (await cliAudit("user.enable")).length).toBe(2);
    await eventually(
      async () =>
        announced.some((m) => JSON.stringify(m) === JSON.stringify({ userId: viewer?.id }))
          ? true
          : undefined,
      5_000,
      "the announcement",
    );
  });

  it("reset-password signs the user out and announces it", async () => {
    const analyst = await userRow("analyst@example.com");
    const { cookie } = await signIn(
      stack.auth,
      "analyst@example.com",
      stack.passwords["analyst@example.com"] ?? "",
      "10.8.0.2",
    );
    expect(cookie).toBeTruthy();
    const { code, stdout } = await cli("users", "reset-password", "analyst@example.com");
    expect(code).toBe(0);
    const password = /new password for \S+: (\S+)/.exec(stdout)?.[1] ?? "";
    const sessions = await db.pool.query(`SELECT 1 FROM sessions WHERE user_id = $1`, [analyst?.id]);
    expect(sessions.rowCount).toBe(0);
    expect((await signIn(stack.auth, "analyst@example.com", password, "10.8.0.3")).status).toBe(200);
    expect(await cliAudit("user.password_reset")).toEqual([{ target_label: "analyst@example.com" }]);
    await eventually(
      async () =>
        announced.some((m) => JSON.stringify(m) === JSON.stringify({ userId: analyst?.id }))
          ? true
          : undefined,
      5_000,
      "the announcement",
    );
  });
});

describe("npm run keys", () => {
  it("creates a key that works, and revokes it with an announcement", async () => {
    const created = await cli("keys", "create", "--name", "first shop", "--scope", "ingest");
    expect(created.code).toBe(0);
    const secret = /key \(shown once\): (nck_\S+)/.exec(created.stdout)?.[1] ?? "";
    const id = /\(id ([^)]+)\)/.exec(created.stdout)?.[1] ?? "";
    expect(await verifyApiKey(db.pool, secret)).toMatchObject({ id, scope: "ingest", name: "first shop" });
    const revoked = await cli("keys", "revoke", id);
    expect(revoked.code).toBe(0);
    expect(await verifyApiKey(db.pool, secret)).toBeNull();
    expect((await cliAudit("api_key.create")).length).toBe(1);
    expect(await cliAudit("api_key.revoke")).toEqual([{ target_label: "first shop" }]);
    await eventually(
      async () =>
        announced.some((m) => JSON.stringify(m) === JSON.stringify({ apiKeyId: id })) ? true : undefined,
      5_000,
      "the announcement",
    );
  });

  it("refuses a bad scope and an unknown id", async () => {
    expect((await cli("keys", "create", "--name", "x", "--scope", "admin")).code).toBe(2);
    const unknown = await cli("keys", "revoke", "no-such-key");
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("no API key");
  });
});
