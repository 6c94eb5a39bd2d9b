// Forged requests as an attacker's page would send them, through the real route handlers and
// better-auth: a page on another origin of the same site (another port of 127.0.0.1) posts with
// the victim's cookie, as `no-cors` fetches and HTML forms can (text/plain, form bodies).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLIENT_IP_HEADER, type Auth } from "./auth";
import { request, signIn, startAuthTestStack, type AuthTestStack } from "../testing/auth";
import { uniqueName } from "../testing/harness";
import { EXPOSED_AUTH_ENDPOINTS } from "../web/auth-endpoints";

type Handler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;
const ORIGIN = "http://127.0.0.1";
const EVIL = "http://127.0.0.1:8081";
const none = { params: Promise.resolve({}) };

let stack: AuthTestStack;
let auth: Auth;
let admin = "";
let routes: {
  keys: { POST: Handler };
  key: { DELETE: Handler };
  user: { PATCH: Handler };
  authRoute: { GET: Handler; POST: Handler };
  me: { GET: Handler };
};

beforeAll(async () => {
  stack = await startAuthTestStack(uniqueName("tforge"), {
    adminPassword: "admin-password-123",
    signInPerMinute: 100,
  });
  auth = stack.auth;
  admin = (await signIn(auth, "admin@example.com", "admin-password-123", "10.6.0.1")).cookie ?? "";
  routes = {
    keys: await import("../../app/api/admin/api-keys/route"),
    key: await import("../../app/api/admin/api-keys/[id]/route"),
    user: await import("../../app/api/admin/users/[id]/route"),
    authRoute: await import("../../app/api/auth/[...all]/route"),
    me: await import("../../app/api/me/route"),
  } as unknown as typeof routes;
});

afterAll(async () => {
  await stack?.close();
});

/** What a browser sends for an attacker page's request: its origin, the victim's cookie. */
function fromPage(
  method: string,
  path: string,
  options: { origin?: string; cookie?: string; type?: string; body?: string; site?: string },
): Request {
  const headers: Record<string, string> = { [CLIENT_IP_HEADER]: "10.6.9.9" };
  if (options.origin) headers.origin = options.origin;
  if (options.cookie) headers.cookie = options.cookie;
  if (options.type) headers["content-type"] = options.type;
  if (options.site) headers["sec-fetch-site"] = options.site;
  return new Request(`${ORIGIN}${path}`, { method, headers, body: options.body ?? null });
}

const count = async (sql: string, params: unknown[] = []) =>
  (await stack.db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${sql}`, params)).rows[0]?.n;
const me = async (cookie: string) =>
  (await routes.me.GET(request("GET", "/api/me", { cookie }), none)).status;

describe("admin writes with an admin's cookie from another origin of the same site", () => {
  it("a no-cors text/plain POST creates no API key", async () => {
    const before = await count("api_keys");
    const body = JSON.stringify({ name: "stolen", scope: "ingest" });
    const crossSite = await routes.keys.POST(
      fromPage("POST", "/api/admin/api-keys", {
        origin: EVIL,
        cookie: admin,
        type: "text/plain",
        body,
        site: "same-site",
      }),
      none,
    );
    expect(crossSite.status).toBe(403);
    // Same origin, but a body type a form or a no-cors fetch can send: still refused.
    const plain = await routes.keys.POST(
      fromPage("POST", "/api/admin/api-keys", { origin: ORIGIN, cookie: admin, type: "text/plain", body }),
      none,
    );
    expect(plain.status).toBe(415);
    expect(await count("api_keys")).toBe(before);
    expect(await count("audit_log WHERE action = 'api_key.create'")).toBe(0);
  });

  it("a forged PATCH does not change a user, a forged DELETE does not revoke a key", async () => {
    const viewer =
      (await stack.db.pool.query<{ id: string }>(`SELECT id FROM users WHERE email = 'viewer@example.com'`))
        .rows[0]?.id ?? "";
    const patch = await routes.user.PATCH(
      fromPage("PATCH", `/api/admin/users/${viewer}`, {
        origin: EVIL,
        cookie: admin,
        type: "application/json",
        body: JSON.stringify({ role: "admin" }),
      }),
      { params: Promise.resolve({ id: viewer }) },
    );
    expect(patch.status).toBe(403);
    expect((await stack.db.pool.query(`SELECT role FROM users WHERE id = $1`, [viewer])).rows[0]).toEqual({
      role: "viewer",
    });
    const created = await routes.keys.POST(
      request("POST", "/api/admin/api-keys", { cookie: admin }, { name: "kept", scope: "read" }),
      none,
    );
    const { apiKey } = (await created.json()) as { apiKey: { id: string } };
    const revoke = await routes.key.DELETE(
      fromPage("DELETE", `/api/admin/api-keys/${apiKey.id}`, {
        origin: EVIL,
        cookie: admin,
        type: "application/json",
      }),
      { params: Promise.resolve({ id: apiKey.id }) },
    );
    expect(revoke.status).toBe(403);
    expect(await count("api_keys WHERE id = $1 AND revoked_at IS NULL", [apiKey.id])).toBe(1);
  });
});

describe("better-auth's sign-in and sign-out", () => {
  it("a forged sign-out leaves the session alone; the app's own sign-out ends it", async () => {
    const { cookie } = await signIn(
      auth,
      "viewer@example.com",
      stack.passwords["viewer@example.com"] ?? "",
      "10.6.1.1",
    );
    const victim = cookie ?? "";
    for (const type of ["text/plain", "application/json"]) {
      const forged = await routes.authRoute.POST(
        fromPage("POST", "/api/auth/sign-out", {
          origin: EVIL,
          cookie: victim,
          type,
          body: "{}",
          site: "same-site",
        }),
        none,
      );
      expect(forged.status, type).toBe(403);
    }
    expect(await me(victim)).toBe(200);
    const own = await routes.authRoute.POST(
      fromPage("POST", "/api/auth/sign-out", {
        origin: ORIGIN,
        cookie: victim,
        type: "application/json",
        body: "{}",
      }),
      none,
    );
    expect(own.status).toBe(200);
    expect(await me(victim)).toBe(401);
  });

  it("a forged sign-in (login CSRF into the attacker's account) sets no session cookie", async () => {
    const credentials = {
      email: "analyst@example.com",
      password: stack.passwords["analyst@example.com"] ?? "",
    };
    const attempts = [
      { type: "application/x-www-form-urlencoded", body: new URLSearchParams(credentials).toString() },
      { type: "text/plain", body: JSON.stringify(credentials) },
      { type: "application/json", body: JSON.stringify(credentials) },
    ];
    for (const { type, body } of attempts) {
      const response = await routes.authRoute.POST(
        fromPage("POST", "/api/auth/sign-in/email", { origin: EVIL, type, body, site: "same-site" }),
        none,
      );
      expect(response.status, type).toBe(403);
      expect(response.headers.getSetCookie().join(";"), type).not.toContain("session_token=");
    }
    const own = await routes.authRoute.POST(
      fromPage("POST", "/api/auth/sign-in/email", {
        origin: ORIGIN,
        type: "application/json",
        body: JSON.stringify(credentials),
      }),
      none,
    );
    expect(own.status).toBe(200);
    // The session travels in the HttpOnly cookie only, never in a body script could read.
    const cookie = own.headers.getSetCookie().find((c) => c.includes("session_token=")) ?? "";
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    const token = /session_token=([^.;]+)/.exec(cookie)?.[1] ?? "";
    expect(token.length).toBeGreaterThan(10);
    const body = await own.text();
    expect(body).not.toContain(token);
    expect(JSON.parse(body)).toMatchObject({ user: { email: "analyst@example.com" } });
    expect(own.headers.get("cache-control")).toBe("no-store");
  });
});

describe("better-auth endpoints Nowcast does not use", () => {
  /** Every endpoint better-auth and its plugins define, as `METHOD /path` with params filled in. */
  function allEndpoints(): string[] {
    const out: string[] = [];
    for (const endpoint of Object.values(auth.api) as unknown as Array<{
      path?: string;
      options?: { method?: unknown };
    }>) {
      if (!endpoint.path) continue;
      const methods = [endpoint.options?.method].flat().filter((m): m is string => typeof m === "string");
      const path = endpoint.path.replace(/:[a-zA-Z]+/g, "x");
      for (const method of methods.includes("*") ? ["GET", "POST"] : methods) out.push(`${method} ${path}`);
    }
    return out;
  }

  it("answer 404 to an admin, whatever the body, and change nothing", async () => {
    const refused = allEndpoints().filter((e) => !EXPOSED_AUTH_ENDPOINTS[e]);
    expect(refused).toEqual(
      expect.arrayContaining(["POST /admin/set-role", "POST /admin/ban-user", "GET /get-session"]),
    );
    expect(refused.length).toBeGreaterThan(30);
    const viewer =
      (await stack.db.pool.query<{ id: string }>(`SELECT id FROM users WHERE email = 'viewer@example.com'`))
        .rows[0]?.id ?? "";
    const body = JSON.stringify({
      userId: viewer,
      role: "admin",
      newPassword: "a-new-password-123",
      banReason: "x",
      email: "new@example.com",
      name: "x",
      password: "a-new-password-123",
      currentPassword: "admin-password-123",
    });
    const users = JSON.stringify((await stack.db.pool.query(`SELECT * FROM users ORDER BY id`)).rows);
    const accounts = JSON.stringify((await stack.db.pool.query(`SELECT * FROM accounts ORDER BY id`)).rows);
    const sessions = await count("sessions");
    for (const endpoint of refused) {
      const [method = "GET", path = ""] = endpoint.split(" ");
      const handler = method === "GET" ? routes.authRoute.GET : routes.authRoute.POST;
      const response = await handler(
        fromPage(method, `/api/auth${path}`, {
          origin: ORIGIN,
          cookie: admin,
          type: "application/json",
          ...(method === "GET" ? {} : { body }),
        }),
        none,
      );
      expect(response.status, endpoint).toBe(404);
    }
    expect(JSON.stringify((await stack.db.pool.query(`SELECT * FROM users ORDER BY id`)).rows)).toBe(users);
    expect(JSON.stringify((await stack.db.pool.query(`SELECT * FROM accounts ORDER BY id`)).rows)).toBe(
      accounts,
    );
    expect(await count("sessions")).toBe(sessions);
    expect(await me(admin)).toBe(200);
  });

  it("the exposed ones are exactly sign-in and sign-out", () => {
    expect(Object.keys(EXPOSED_AUTH_ENDPOINTS).sort()).toEqual(["POST /sign-in/email", "POST /sign-out"]);
    for (const endpoint of Object.keys(EXPOSED_AUTH_ENDPOINTS)) expect(allEndpoints()).toContain(endpoint);
  });
});
