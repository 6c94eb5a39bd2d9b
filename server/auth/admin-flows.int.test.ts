// Admin changes through the real route handlers and better-auth: they take effect on the very
// next request, are refused where they would lock admins out, and land in the audit log.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuditPage, CreatedApiKey, UserWithPassword } from "../contract/auth";
import type { DbClients } from "../db/clients";
import { request, signIn, startAuthTestStack, type AuthTestStack } from "../testing/auth";
import { uniqueName } from "../testing/harness";
import type { Auth } from "./auth";

type Handler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;
interface Routes {
  users: { GET: Handler; POST: Handler };
  user: { PATCH: Handler };
  password: { POST: Handler };
  keys: { GET: Handler; POST: Handler };
  key: { DELETE: Handler };
  audit: { GET: Handler };
  me: { GET: Handler };
  ingest: { POST: Handler };
}

const namespace = uniqueName("tadmin");
let stack: AuthTestStack;
let db: DbClients;
let auth: Auth;
let r: Routes;
let admin: string;
let adminId: string;
const ADMIN_PASSWORD = "admin-password-123";
const none = { params: Promise.resolve({}) };
const withId = (id: string) => ({ params: Promise.resolve({ id }) });

beforeAll(async () => {
  stack = await startAuthTestStack(namespace, { adminPassword: ADMIN_PASSWORD });
  ({ db, auth } = stack);
  admin = (await signIn(auth, "admin@example.com", ADMIN_PASSWORD, "10.2.0.1")).cookie ?? "";
  adminId =
    (await db.pool.query<{ id: string }>(`SELECT id FROM users WHERE email = 'admin@example.com'`)).rows[0]
      ?.id ?? "";
  r = {
    users: await import("../../app/api/admin/users/route"),
    user: await import("../../app/api/admin/users/[id]/route"),
    password: await import("../../app/api/admin/users/[id]/password/route"),
    keys: await import("../../app/api/admin/api-keys/route"),
    key: await import("../../app/api/admin/api-keys/[id]/route"),
    audit: await import("../../app/api/admin/audit/route"),
    me: await import("../../app/api/me/route"),
    ingest: await import("../../app/api/ingest/route"),
  } as unknown as Routes;
});

afterAll(async () => {
  await stack?.close();
});

async function createUser(email: string, role: "viewer" | "analyst" | "admin"): Promise<UserWithPassword> {
  const response = await r.users.POST(
    request("POST", "/api/admin/users", { cookie: admin }, { name: email, email, role }),
    none,
  );
  expect(response.status).toBe(201);
  return UserWithPassword.parse(await response.json());
}

const me = async (cookie: string | null) =>
  (await r.me.GET(request("GET", "/api/me", { cookie }), none)).status;

describe("users", () => {
  it("creates a user whose generated password signs in, once", async () => {
    const created = await createUser("ops1@example.com", "viewer");
    expect(created.password.length).toBeGreaterThanOrEqual(20);
    const session = await signIn(auth, "ops1@example.com", created.password, "10.2.1.1");
    expect(session.status).toBe(200);
    expect(await me(session.cookie)).toBe(200);
    const again = await r.users.POST(
      request(
        "POST",
        "/api/admin/users",
        { cookie: admin },
        { name: "x", email: "OPS1@example.com", role: "viewer" },
      ),
      none,
    );
    expect(again.status).toBe(409);
    const stored = await db.pool.query<{ password: string }>(
      `SELECT a.password FROM accounts a JOIN users u ON u.id = a.user_id WHERE u.email = 'ops1@example.com'`,
    );
    expect(stored.rows[0]?.password).not.toContain(created.password);
  });

  it("names the field of an invalid request", async () => {
    const response = await r.users.POST(
      request(
        "POST",
        "/api/admin/users",
        { cookie: admin },
        { name: "x", email: "not-an-email", role: "viewer" },
      ),
      none,
    );
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(/^email:/);
  });

  it("disabling a user ends its session at once and refuses sign-in with a clear message", async () => {
    const created = await createUser("ops2@example.com", "analyst");
    const session = await signIn(auth, "ops2@example.com", created.password, "10.2.2.1");
    expect(await me(session.cookie)).toBe(200);
    const off = await r.user.PATCH(
      request("PATCH", "/x", { cookie: admin }, { disabled: true }),
      withId(created.user.id),
    );
    expect(off.status).toBe(200);
    expect(await me(session.cookie)).toBe(401);
    const retry = await signIn(auth, "ops2@example.com", created.password, "10.2.2.2");
    expect(retry.status).toBe(403);
    expect(JSON.stringify(retry.body)).toContain("disabled");
    await r.user.PATCH(
      request("PATCH", "/x", { cookie: admin }, { disabled: false }),
      withId(created.user.id),
    );
    expect((await signIn(auth, "ops2@example.com", created.password, "10.2.2.3")).status).toBe(200);
  });

  it("a role change applies to the next request", async () => {
    const created = await createUser("ops3@example.com", "viewer");
    const session = await signIn(auth, "ops3@example.com", created.password, "10.2.3.1");
    const list = (cookie: string | null) =>
      r.keys.GET(request("GET", "/api/admin/api-keys", { cookie }), none);
    expect((await list(session.cookie)).status).toBe(403);
    await r.user.PATCH(request("PATCH", "/x", { cookie: admin }, { role: "admin" }), withId(created.user.id));
    expect((await list(session.cookie)).status).toBe(200);
  });

  it("a password reset signs the user out and only the new password works", async () => {
    const created = await createUser("ops4@example.com", "viewer");
    const session = await signIn(auth, "ops4@example.com", created.password, "10.2.4.1");
    const reset = await r.password.POST(
      request("POST", "/x", { cookie: admin }, {}),
      withId(created.user.id),
    );
    const { password } = UserWithPassword.parse(await reset.json());
    expect(await me(session.cookie)).toBe(401);
    expect((await signIn(auth, "ops4@example.com", created.password, "10.2.4.2")).status).toBe(401);
    expect((await signIn(auth, "ops4@example.com", password, "10.2.4.3")).status).toBe(200);
  });

  it("refuses to let an admin disable or demote itself, or remove the last admin", async () => {
    const self = await r.user.PATCH(
      request("PATCH", "/x", { cookie: admin }, { disabled: true }),
      withId(adminId),
    );
    expect(self.status).toBe(409);
    const demote = await r.user.PATCH(
      request("PATCH", "/x", { cookie: admin }, { role: "viewer" }),
      withId(adminId),
    );
    expect(demote.status).toBe(409);
    expect(await me(admin)).toBe(200);
  });
});

describe("API keys", () => {
  it("stores only a hash, works for ingest, and stops working the moment it is revoked", async () => {
    const created = await r.keys.POST(
      request("POST", "/api/admin/api-keys", { cookie: admin }, { name: "shop", scope: "ingest" }),
      none,
    );
    expect(created.status).toBe(201);
    const { apiKey, secret } = CreatedApiKey.parse(await created.json());
    const rows = await db.pool.query(`SELECT * FROM api_keys WHERE id = $1`, [apiKey.id]);
    expect(JSON.stringify(rows.rows)).not.toContain(secret);
    const event = { id: uniqueName("e"), type: "page_view", ts: Date.now(), attrs: { path: "/" } };
    const ingest = () => r.ingest.POST(request("POST", "/api/ingest", { apiKey: secret }, event), none);
    expect((await ingest()).status).toBe(202);
    const listed = (await (await r.keys.GET(request("GET", "/k", { cookie: admin }), none)).json()) as {
      apiKeys: Array<{ id: string; lastUsedAt: string | null }>;
    };
    expect(listed.apiKeys.find((k) => k.id === apiKey.id)?.lastUsedAt).not.toBeNull();
    expect((await r.key.DELETE(request("DELETE", "/k", { cookie: admin }), withId(apiKey.id))).status).toBe(
      200,
    );
    const after = await ingest();
    expect(after.status).toBe(401);
    expect(((await after.json()) as { error: { code: string } }).error.code).toBe("invalid_api_key");
  });
});

describe("sign-in throttling", () => {
  it("answers 429 with a retry time after too many attempts from one address, not from others", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++)
      statuses.push((await signIn(auth, "admin@example.com", "wrong-password-1", "10.3.0.1")).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
    // Even the right password is refused while throttled; another address is not affected.
    expect((await signIn(auth, "admin@example.com", ADMIN_PASSWORD, "10.3.0.1")).status).toBe(429);
    expect((await signIn(auth, "admin@example.com", ADMIN_PASSWORD, "10.3.0.2")).status).toBe(200);
  });
});

describe("audit log", () => {
  it("records who changed what, before → after, and filters by action and target", async () => {
    const page = async (query: string) =>
      AuditPage.parse(
        await (
          await r.audit.GET(request("GET", `/api/admin/audit?${query}`, { cookie: admin }), none)
        ).json(),
      );
    const disabled = await page("action=user.disable");
    const entry = disabled.entries.find((e) => e.targetLabel === "ops2@example.com");
    expect(entry).toMatchObject({ actorEmail: "admin@example.com", targetType: "user" });
    expect(entry?.before).toMatchObject({ disabled: false, role: "analyst" });
    expect(entry?.after).toMatchObject({ disabled: true, role: "analyst" });
    const roles = await page("target=ops3");
    expect(roles.entries.map((e) => e.action).sort()).toEqual(["user.create", "user.role"]);
    expect(roles.entries.find((e) => e.action === "user.role")?.after).toMatchObject({ role: "admin" });
    const keys = await page("action=api_key.revoke");
    expect(keys.entries.map((e) => e.targetLabel)).toEqual(["shop"]);
    const all = await page("limit=2");
    expect(all.entries).toHaveLength(2);
    expect(all.nextBefore).not.toBeNull();
    const older = await page(`limit=2&before=${all.nextBefore}`);
    expect(Number(older.entries[0]?.id)).toBeLessThan(Number(all.entries[1]?.id));
    expect(JSON.stringify(await page("limit=200"))).not.toMatch(/"password":"|nck_[A-Za-z0-9_-]{20,}/);
  });

  it("rejects a bad filter naming the parameter", async () => {
    const response = await r.audit.GET(
      request("GET", "/api/admin/audit?action=drop_tables", { cookie: admin }),
      none,
    );
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(/^action:/);
  });
});
