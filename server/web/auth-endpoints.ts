import { getAuth } from "./principal";
import { loadConfig } from "../config";
import { errorFields } from "../log";
import { apiError } from "./http";
import { getWebServices } from "./services";
import { refuseForgedWrite } from "./write-guard";

const BASE_PATH = "/api/auth";

/**
 * The only better-auth endpoints reachable over HTTP, each with the reason it is needed.
 * Everything else better-auth and its admin plugin offer (set-role, ban-user, set-user-password,
 * remove-user, impersonate-user, create-user, list-users, change-password, update-user,
 * change-email, delete-user, revoke-sessions, list-sessions, get-session, …) answers 404:
 * users change only through Nowcast's own audited verbs (server/auth/users.ts), which keep the
 * last-admin and self-change rules and cut sockets. A test enumerates better-auth's endpoints.
 */
export const EXPOSED_AUTH_ENDPOINTS: Readonly<Record<string, string>> = {
  "POST /sign-in/email": "the sign-in form: email and password give a session cookie",
  "POST /sign-out": "the navigation's sign-out button ends this browser's session",
};

/** `app/api/auth/[...all]`: forgery check, then the allow-list, then better-auth itself. */
export async function handleAuthRequest(request: Request): Promise<Response> {
  const forged = refuseForgedWrite(request, loadConfig().NOWCAST_PUBLIC_URL);
  if (forged) return forged;
  const { pathname } = new URL(request.url);
  const endpoint = pathname.startsWith(`${BASE_PATH}/`) ? pathname.slice(BASE_PATH.length) : pathname;
  if (!EXPOSED_AUTH_ENDPOINTS[`${request.method} ${endpoint}`])
    return apiError(404, "not_found", `${request.method} ${pathname} is not an endpoint of this app`);
  let auth;
  try {
    auth = await getAuth();
  } catch (error) {
    (await getWebServices().catch(() => null))?.log.error("sign-in unavailable", errorFields(error));
    return apiError(503, "unavailable", "sign-in is unavailable; retry shortly");
  }
  const response = await auth.handler(request);
  return endpoint === "/sign-in/email" ? withoutSessionToken(response) : response;
}

/**
 * better-auth answers a sign-in with the session token in the JSON body as well as in the
 * HttpOnly cookie; script on the page (an injection that got past the CSP) could read it from
 * the body. The cookie is the only carrier Nowcast uses, so the body loses it.
 */
async function withoutSessionToken(response: Response): Promise<Response> {
  if (!response.headers.get("content-type")?.includes("application/json")) return response;
  const body = (await response.json().catch(() => null)) as Record<string, unknown> | null;
  const headers = new Headers(response.headers);
  headers.delete("content-length");
  headers.set("cache-control", "no-store");
  if (body && typeof body === "object") delete body.token;
  return new Response(JSON.stringify(body), { status: response.status, headers });
}
