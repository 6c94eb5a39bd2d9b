// Malformed path and query values on every route that takes them: a 400 naming the parameter,
// never a 500 (Postgres refuses NUL, Date throws on huge epochs, Postgres refuses 2026-02-30).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "../auth/api-keys";
import { ApiError } from "../contract";
import { request, signIn, startAuthTestStack, type AuthTestStack } from "../testing/auth";
import { uniqueName } from "../testing/harness";

type Handler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;
const namespace = uniqueName("tparams");
const ADMIN_PASSWORD = "admin-password-456";
let stack: AuthTestStack;
let admin = "";
let readKey = "";
const routes: Record<string, Handler> = {};
const none = { params: Promise.resolve({}) };

beforeAll(async () => {
  stack = await startAuthTestStack(namespace, { adminPassword: ADMIN_PASSWORD });
  admin = (await signIn(stack.auth, "admin@example.com", ADMIN_PASSWORD, "10.3.0.1")).cookie ?? "";
  readKey = (await createApiKey(stack.db.pool, { name: "read", scope: "read", createdBy: null })).secret;
  const load = async (path: string, method: string) =>
    (await import(/* @vite-ignore */ `../../app/api/${path}/route`))[method] as Handler;
  routes.series = await load("metrics/[name]/series", "GET");
  routes.breakdown = await load("metrics/[name]/breakdown", "GET");
  routes.jobs = await load("jobs", "GET");
  routes.audit = await load("admin/audit", "GET");
  routes.user = await load("admin/users/[id]", "PATCH");
  routes.password = await load("admin/users/[id]/password", "POST");
  routes.key = await load("admin/api-keys/[id]", "DELETE");
});

afterAll(async () => {
  await stack?.close();
});

async function expect400(response: Response, param: string) {
  expect(response.status).toBe(400);
  const body = ApiError.parse(await response.json());
  expect(body.error.code).toBe("invalid_parameter");
  expect(body.error.message.startsWith(`${param}:`), body.error.message).toBe(true);
  expect(body.error.details).toMatchObject({ param });
}

const RANGE = "from=2026-11-01T00:00:00Z&to=2026-11-02T00:00:00Z";

describe("query strings", () => {
  it.each([
    ["series", `from=-99999999999999999&to=0`, "from"],
    ["series", `from=2026-02-30T00:00:00Z&to=2026-03-02T00:00:00Z`, "from"],
    ["series", `from=2026-11-01T24:00:00Z&to=2026-11-03T00:00:00Z`, "from"],
    ["series", `${RANGE}&from=2026-10-01T00:00:00Z`, "from"],
    ["breakdown", `from=-8640000000000001&to=0&by=route`, "from"],
    ["jobs", "limit=%00", "limit"],
    ["jobs", "queue=%ZZ", "queue"],
    ["jobs", "limit=5&limit=6", "limit"],
  ])("%s?%s → 400 naming %s", async (route, query, param) => {
    const handler = routes[route];
    if (!handler) throw new Error(`no route ${route}`);
    const response = await handler(request("GET", `/api/x?${query}`, { apiKey: readKey }), {
      params: Promise.resolve({ name: "api_latency" }),
    });
    await expect400(response, param);
  });

  it.each([
    ["actor=%00", "actor"],
    ["target=a%00b", "target"],
    ["before=1e300", "before"],
    ["from=2026-02-30T00:00:00Z", "from"],
    ["to=2026-11-01T10:00:00%2B24:00", "to"],
  ])("admin/audit?%s → 400 naming %s", async (query, param) => {
    const handler = routes.audit;
    if (!handler) throw new Error("no audit route");
    await expect400(
      await handler(request("GET", `/api/admin/audit?${query}`, { cookie: admin }), none),
      param,
    );
  });
});

describe("path parameters (as Next decodes them: %00 arrives as NUL)", () => {
  it.each([
    ["series", "name", "\u0000"],
    ["series", "name", "api_latency\u0000"],
    ["breakdown", "name", "\ud800"],
    ["series", "name", "Not A Metric"],
  ])("%s with %s %j → 400", async (route, param, value) => {
    const handler = routes[route];
    if (!handler) throw new Error(`no route ${route}`);
    const response = await handler(request("GET", `/api/x?${RANGE}`, { apiKey: readKey }), {
      params: Promise.resolve({ [param]: value }),
    });
    await expect400(response, param);
  });

  it.each([
    ["user", "PATCH", { role: "viewer" }, "\u0000"],
    ["password", "POST", {}, "a\u0000"],
    ["key", "DELETE", undefined, "\u0000"],
    ["key", "DELETE", undefined, "x".repeat(300)],
  ])("admin %s (%s) with id %j → 400 naming id", async (route, method, body, id) => {
    const handler = routes[route];
    if (!handler) throw new Error(`no route ${route}`);
    const response = await handler(request(method, "/api/admin/x", { cookie: admin }, body), {
      params: Promise.resolve({ id }),
    });
    await expect400(response, "id");
  });
});
