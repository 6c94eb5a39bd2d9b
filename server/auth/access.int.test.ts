// Every route handler under app/ against the access table below: anonymous → 401, wrong role
// or key scope → 403, the right one → through; and every state-changing one refuses a forged
// request (another origin, no Origin, a non-JSON body) even from the right caller. A route (or
// method) missing from the table, or a table entry without a route, fails the first test: new
// routes cannot skip the rules.
import { readdir } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiKeyScope, ROLES, type Role } from "../contract/auth";
import { CLIENT_IP_HEADER } from "./auth";
import { request, signIn, startAuthTestStack, type AuthTestStack } from "../testing/auth";
import { uniqueName } from "../testing/harness";
import { createApiKey } from "./api-keys";

type Rule = "public" | { role?: Role; apiKey?: ApiKeyScope };

/** The access table: "METHOD /path" (dynamic segments as written in app/) → who may call it. */
const ACCESS: Record<string, Rule> = {
  "GET /api/health": "public",
  "GET /api/auth/[...all]": "public",
  "POST /api/auth/[...all]": "public",
  "POST /api/ingest": { apiKey: "ingest" },
  "POST /api/transactions/score": { apiKey: "score" },
  "GET /api/admin/fraud/rules": { role: "admin" },
  "PUT /api/admin/fraud/rules": { role: "admin" },
  "POST /api/admin/fraud/backtest": { role: "admin" },
  "GET /api/fraud/decisions": { role: "analyst" },
  "GET /api/fraud/decisions/[id]": { role: "analyst" },
  "PUT /api/fraud/decisions/[id]/label": { role: "analyst" },
  "GET /api/fraud/quality": { role: "analyst" },
  "GET /api/me": { role: "viewer" },
  "GET /api/admin/users": { role: "admin" },
  "POST /api/admin/users": { role: "admin" },
  "PATCH /api/admin/users/[id]": { role: "admin" },
  "POST /api/admin/users/[id]/password": { role: "admin" },
  "GET /api/admin/api-keys": { role: "admin" },
  "POST /api/admin/api-keys": { role: "admin" },
  "DELETE /api/admin/api-keys/[id]": { role: "admin" },
  "GET /api/admin/audit": { role: "admin" },
  "GET /api/admin/alerts/rules": { role: "admin" },
  "POST /api/admin/alerts/rules": { role: "admin" },
  "PUT /api/admin/alerts/rules/[id]": { role: "admin" },
  "DELETE /api/admin/alerts/rules/[id]": { role: "admin" },
  "POST /api/admin/alerts/backtest": { role: "admin" },
  "GET /api/admin/alerts/channels": { role: "admin" },
  "POST /api/admin/alerts/channels": { role: "admin" },
  "PUT /api/admin/alerts/channels/[id]": { role: "admin" },
  "DELETE /api/admin/alerts/channels/[id]": { role: "admin" },
  "POST /api/admin/alerts/channels/[id]/test": { role: "admin" },
  "GET /api/admin/alerts/channels/[id]/deliveries": { role: "admin" },
  "GET /api/admin/alerts/silences": { role: "admin" },
  "POST /api/admin/alerts/silences": { role: "admin" },
  "DELETE /api/admin/alerts/silences/[id]": { role: "admin" },
  "GET /api/alerts": { role: "viewer" },
  "POST /api/alerts/acknowledge": { role: "viewer" },
  "GET /api/jobs": { role: "analyst", apiKey: "read" },
  "GET /api/live/metrics": { role: "viewer", apiKey: "read" },
  "GET /api/metrics": { role: "viewer", apiKey: "read" },
  "GET /api/metrics/[name]/series": { role: "analyst", apiKey: "read" },
  "GET /api/metrics/[name]/breakdown": { role: "analyst", apiKey: "read" },
};

const APP_DIR = path.resolve(import.meta.dirname, "..", "..", "app");
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
type Handler = (
  request: Request,
  context: { params: Promise<Record<string, string | string[]>> },
) => Promise<Response>;

async function routeFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((e) =>
      e.isDirectory()
        ? routeFiles(path.join(dir, e.name))
        : Promise.resolve(e.name === "route.ts" ? [path.join(dir, e.name)] : []),
    ),
  );
  return nested.flat();
}

/** Concrete values for dynamic segments: ids that do not exist, so "through" never changes data. */
function concretePath(routePath: string): { url: string; params: Record<string, string | string[]> } {
  const params: Record<string, string | string[]> = {};
  const url = routePath.replace(/\[(\.\.\.)?([^\]]+)\]/g, (_, rest: string | undefined, name: string) => {
    if (rest) {
      params[name] = ["get-session"];
      return "get-session";
    }
    params[name] = "no-such-id";
    return "no-such-id";
  });
  return { url, params };
}

const namespace = uniqueName("taccess");
let stack: AuthTestStack;
let routes: Array<{ key: string; url: string; params: Record<string, string | string[]>; handler: Handler }> =
  [];
const cookies: Partial<Record<Role, string>> = {};
const keys: Partial<Record<ApiKeyScope, string>> = {};

beforeAll(async () => {
  stack = await startAuthTestStack(namespace, { adminPassword: "admin-password-123" });
  for (const [i, role] of ROLES.entries()) {
    const email = `${role}@example.com`;
    const result = await signIn(stack.auth, email, stack.passwords[email] ?? "", `10.1.0.${i + 1}`);
    expect(result.status, `sign-in of ${role}`).toBe(200);
    cookies[role] = result.cookie ?? "";
  }
  const db = stack.db;
  keys.ingest = (
    await createApiKey(db.pool, { name: "ingest test", scope: "ingest", createdBy: null })
  ).secret;
  keys.read = (await createApiKey(db.pool, { name: "read test", scope: "read", createdBy: null })).secret;
  keys.score = (await createApiKey(db.pool, { name: "score test", scope: "score", createdBy: null })).secret;

  for (const file of await routeFiles(APP_DIR)) {
    const routePath = `/${path.relative(APP_DIR, path.dirname(file)).split(path.sep).join("/")}`;
    const module = (await import(file)) as Partial<Record<(typeof METHODS)[number], Handler>>;
    for (const method of METHODS) {
      const handler = module[method];
      if (typeof handler === "function")
        routes.push({ key: `${method} ${routePath}`, ...concretePath(routePath), handler });
    }
  }
  routes = routes.sort((a, b) => a.key.localeCompare(b.key));
});

afterAll(async () => {
  await stack?.close();
});

async function call(route: (typeof routes)[number], as: { cookie?: string | null; apiKey?: string }) {
  const method = route.key.split(" ")[0] ?? "GET";
  const response = await route.handler(request(method, route.url, as), {
    params: Promise.resolve(route.params),
  });
  return response.status;
}

const API_KEY_SCOPES = ApiKeyScope.options;
const below = (role: Role): Role | null => ROLES[ROLES.indexOf(role) - 1] ?? null;
const otherScopes = (scope: ApiKeyScope | undefined): ApiKeyScope[] =>
  API_KEY_SCOPES.filter((s) => s !== scope);

describe("route access table", () => {
  it("names every route handler and method, and nothing else", () => {
    expect(routes.map((r) => r.key)).toEqual(Object.keys(ACCESS).sort((a, b) => a.localeCompare(b)));
  });

  it("lets anyone through public routes", async () => {
    for (const route of routes.filter((r) => ACCESS[r.key] === "public")) {
      expect([401, 403], route.key).not.toContain(await call(route, {}));
    }
  });

  it("answers 401 to anonymous callers and to unknown keys", async () => {
    for (const route of routes.filter((r) => ACCESS[r.key] !== "public")) {
      expect(await call(route, {}), `${route.key} anonymous`).toBe(401);
      expect(await call(route, { apiKey: "nck_not-a-real-key" }), `${route.key} bad key`).toBe(401);
    }
  });

  it("answers 403 to a role below the rule and to keys of another scope", async () => {
    for (const route of routes) {
      const rule = ACCESS[route.key];
      if (!rule || rule === "public") continue;
      const lower = rule.role ? below(rule.role) : "admin";
      if (lower) expect(await call(route, { cookie: cookies[lower] }), `${route.key} as ${lower}`).toBe(403);
      for (const scope of otherScopes(rule.apiKey))
        expect(await call(route, { apiKey: keys[scope] }), `${route.key} with ${scope} key`).toBe(403);
    }
  });

  it("lets the right role and key scope through", async () => {
    for (const route of routes) {
      const rule = ACCESS[route.key];
      if (!rule || rule === "public") continue;
      if (rule.role) {
        for (const role of ROLES.slice(ROLES.indexOf(rule.role)))
          expect([401, 403], `${route.key} as ${role}`).not.toContain(
            await call(route, { cookie: cookies[role] }),
          );
      }
      if (rule.apiKey)
        expect([401, 403], `${route.key} key`).not.toContain(
          await call(route, { apiKey: keys[rule.apiKey] }),
        );
    }
  });
});

/** The caller each rule lets through: its role's cookie, else its key; public writes as an admin. */
function rightCaller(rule: Rule): { cookie?: string; apiKey?: string } {
  if (rule === "public") return { cookie: cookies.admin ?? "" };
  if (rule.role) return { cookie: cookies[rule.role] ?? "" };
  return { apiKey: rule.apiKey ? keys[rule.apiKey] : "" };
}

/** A request to a route as `as`, with exactly these origin and content-type headers. */
async function forged(
  route: (typeof routes)[number],
  as: { cookie?: string; apiKey?: string },
  headers: Record<string, string>,
) {
  const method = route.key.split(" ")[0] ?? "POST";
  const all: Record<string, string> = { [CLIENT_IP_HEADER]: "10.9.9.8", ...headers };
  if (as.cookie) all.cookie = as.cookie;
  if (as.apiKey) all.authorization = `Bearer ${as.apiKey}`;
  const response = await route.handler(
    new Request(`http://127.0.0.1${route.url}`, { method, headers: all, body: "{}" }),
    { params: Promise.resolve(route.params) },
  );
  const body = (await response.json().catch(() => null)) as { error?: { code?: string } } | null;
  return { status: response.status, code: body?.error?.code };
}

describe("forged state-changing requests", () => {
  const writes = () => routes.filter((r) => !r.key.startsWith("GET "));
  const json = { "content-type": "application/json" };
  const FORGERIES: Record<string, Record<string, string>> = {
    "another port of the same host (same site)": { ...json, origin: "http://127.0.0.1:8081" },
    "a sibling subdomain": { ...json, origin: "http://evil.127.0.0.1.nip.io" },
    "Origin null": { ...json, origin: "null" },
    "no Origin and no Sec-Fetch-Site": json,
    "Sec-Fetch-Site same-site": { ...json, origin: "http://127.0.0.1", "sec-fetch-site": "same-site" },
    "Sec-Fetch-Site cross-site without Origin": { ...json, "sec-fetch-site": "cross-site" },
  };

  it("covers every write in the table", () => {
    expect(writes().length).toBeGreaterThanOrEqual(7);
  });

  it("refuses cookie-authenticated writes from anywhere but this origin with 403 forbidden_origin", async () => {
    for (const route of writes()) {
      const rule = ACCESS[route.key];
      if (!rule || (rule !== "public" && !rule.role)) continue;
      for (const [what, headers] of Object.entries(FORGERIES)) {
        const answer = await forged(route, rightCaller(rule), headers);
        expect(answer, `${route.key}: ${what}`).toEqual({ status: 403, code: "forbidden_origin" });
      }
    }
  });

  it("refuses every write whose body is not declared JSON with 415, keys included", async () => {
    for (const route of writes()) {
      const rule = ACCESS[route.key];
      if (!rule) continue;
      for (const type of [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
      ]) {
        const answer = await forged(route, rightCaller(rule), {
          origin: "http://127.0.0.1",
          "content-type": type,
        });
        expect(answer.status, `${route.key} as ${type}`).toBe(415);
      }
    }
  });

  it("lets an API key write without Origin: a bearer key is no ambient credential", async () => {
    for (const route of writes()) {
      const rule = ACCESS[route.key];
      if (!rule || rule === "public" || !rule.apiKey) continue;
      const answer = await forged(
        route,
        { apiKey: keys[rule.apiKey] },
        { ...json, origin: "http://evil.example" },
      );
      expect([401, 403, 415], route.key).not.toContain(answer.status);
    }
  });
});
