import { forbidden, redirect } from "next/navigation";
import { headers } from "next/headers";
import { identify } from "./principal";
import { decide, type Principal, type Role } from "./roles";

/** The signed-in user of this page request, or null (API keys do not open pages). */
export async function currentUser(): Promise<Principal | null> {
  const identity = await identify(withoutAuthorization(await headers()));
  return identity.kind === "principal" && identity.principal.kind === "user" ? identity.principal : null;
}

/**
 * Server-component check at the top of every page: anonymous users go to /sign-in (and come
 * back to the same path and query afterwards), a signed-in user without the role gets the 403 page.
 */
export async function requirePageRole(role: Role, path?: string): Promise<Principal> {
  const user = await currentUser();
  const verdict = decide(user, { role });
  if (verdict === "unauthenticated" || !user) {
    // proxy.ts passes the requested path and query, so a shared report link survives sign-in.
    const back = path ?? (await headers()).get("x-nowcast-path");
    redirect(back ? `/sign-in?next=${encodeURIComponent(back)}` : "/sign-in");
  }
  if (verdict === "forbidden") forbidden();
  return user;
}

// Pages are opened by browsers with cookies; an Authorization header must not turn into a page session.
function withoutAuthorization(source: Headers): Headers {
  const copy = new Headers(source);
  copy.delete("authorization");
  return copy;
}
