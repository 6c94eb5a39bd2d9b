import { CLIENT_IP_HEADER, type Auth } from "../auth/auth";
import { getAuth } from "../web/principal";
import { seedUsers } from "../auth/seed";
import { createDbClients, type DbClients } from "../db/clients";
import { getWebServices } from "../web/services";
import { createTestDatabase, deleteNamespace, NATS_URL, type TestDatabase } from "./harness";

const ORIGIN = "http://127.0.0.1";

/** Signs in through better-auth's real handler; returns the response and the session cookie. */
export async function signIn(
  auth: Auth,
  email: string,
  password: string,
  ip = "10.0.0.1",
): Promise<{ status: number; cookie: string | null; body: unknown }> {
  const response = await auth.handler(
    new Request(`${ORIGIN}/api/auth/sign-in/email`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: ORIGIN, [CLIENT_IP_HEADER]: ip },
      body: JSON.stringify({ email, password }),
    }),
  );
  const setCookie = response.headers.getSetCookie().find((c) => c.includes("session_token="));
  return {
    status: response.status,
    cookie: setCookie ? (setCookie.split(";")[0] ?? null) : null,
    body: await response.json().catch(() => null),
  };
}

/** A request to a route handler as a browser with this cookie, or with an API key. */
export function request(
  method: string,
  path: string,
  as: { cookie?: string | null; apiKey?: string } = {},
  body?: unknown,
): Request {
  const headers: Record<string, string> = { [CLIENT_IP_HEADER]: "10.9.9.9", origin: ORIGIN };
  if (as.cookie) headers.cookie = as.cookie;
  if (as.apiKey) headers.authorization = `Bearer ${as.apiKey}`;
  const hasBody = method !== "GET" && method !== "DELETE";
  // Writes declare JSON even without a body, as the app's own client does.
  if (method !== "GET") headers["content-type"] = "application/json";
  return new Request(`${ORIGIN}${path}`, {
    method,
    headers,
    ...(hasBody ? { body: JSON.stringify(body ?? {}) } : {}),
  });
}

export interface AuthTestStack {
  database: TestDatabase;
  db: DbClients;
  auth: Auth;
  /** Passwords of the seeded users by email (the admin's is `adminPassword`). */
  passwords: Record<string, string>;
  close(): Promise<void>;
}

/**
 * A database and NATS namespace of the test file's own, the route handlers' services pointed
 * at them, and the demo users seeded. Sign-in throttling is `signInPerMinute` per address.
 */
export async function startAuthTestStack(
  namespace: string,
  options: { adminPassword: string; signInPerMinute?: number },
): Promise<AuthTestStack> {
  const database = await createTestDatabase();
  // The route handlers build their services from the environment, as in production.
  process.env.DATABASE_URL = database.url;
  process.env.NATS_URL = NATS_URL;
  process.env.NOWCAST_NAMESPACE = namespace;
  process.env.AUTH_SIGNIN_PER_MINUTE = String(options.signInPerMinute ?? 3);
  const db = createDbClients(database.url, { max: 2 });
  const auth = await getAuth();
  const passwords: Record<string, string> = {};
  for (const user of await seedUsers(auth, db.pool, options.adminPassword))
    passwords[user.email] = user.password ?? "";
  return {
    database,
    db,
    auth,
    passwords,
    async close() {
      await (await getWebServices().catch(() => null))?.close();
      await deleteNamespace(namespace);
      await db.close();
      await database.drop();
    },
  };
}
