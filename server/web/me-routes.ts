import { findMe } from "../auth/users";
import { errorFields } from "../log";
import type { Principal } from "./guard";
import { apiError } from "./http";
import { getWebServices } from "./services";

/** GET /api/me, after the route authorized the caller (any signed-in role). */
export async function handleMe(principal: Principal): Promise<Response> {
  let services;
  try {
    services = await getWebServices();
  } catch {
    return apiError(503, "unavailable", "the service is starting or a dependency is down; retry later");
  }
  try {
    const me = await findMe(services.db.prisma, principal.id);
    if (!me) return apiError(404, "not_found", "this user no longer exists");
    return Response.json(me, { headers: { "cache-control": "no-store" } });
  } catch (error) {
    services.log.error("GET /api/me failed", errorFields(error));
    return apiError(503, "unavailable", "the user record could not be read; retry shortly");
  }
}
