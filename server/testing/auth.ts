import { CLIENT_IP_HEADER, type Auth } from "../auth/auth";

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
  if (hasBody) headers["content-type"] = "application/json";
  return new Request(`${ORIGIN}${path}`, {
    method,
    headers,
    ...(hasBody ? { body: JSON.stringify(body ?? {}) } : {}),
  });
}
