import { forbidden, redirect } from "next/navigation";
import { headers } from "next/headers";
import { cache } from "react";
import { sameOriginPath } from "../contract/next-path";
import { identifyUser } from "./principal";
import { decide, type Principal, type Role } from "../auth/roles";

/**
 * The signed-in user of this page request, or null (API keys do not open pages). Cached per
 * request: the layout's navigation and the page's guard share one session lookup.
 */
export const currentUser = cache(async (): Promise<Principal | null> => identifyUser(await headers()));

/**
 * Server-component check at the top of every page: anonymous users go to /sign-in (and come
 * back to the same path and query afterwards), a signed-in user without the role gets the 403 page.
 */
export async function requirePageRole(role: Role): Promise<Principal> {
  const user = await currentUser();
  const verdict = decide(user, { role });
  if (verdict === "unauthenticated" || !user) {
    // proxy.ts passes the requested path and query, so a shared report link survives sign-in.
    // Requests the proxy skips (prefetches) could carry the header from the client: checked too.
    const header = (await headers()).get("x-nowcast-path");
    const back = header ? sameOriginPath(header) : null;
    redirect(back ? `/sign-in?next=${encodeURIComponent(back)}` : "/sign-in");
  }
  if (verdict === "forbidden") forbidden();
  return user;
}
