import { authorize } from "./guard";
import type { Role } from "../auth/roles";
import { FraudAdminError, type Actor } from "../db/fraud-rules";
import { errorFields } from "../log";
import { apiError } from "./http";
import { getWebServices, type WebServices } from "./services";

const STATUS: Record<FraudAdminError["code"], number> = { not_found: 404, conflict: 409 };

/**
 * The adapter of the fraud review and admin handlers: the role, then `run` with the services
 * and the acting user; fraud errors map to HTTP here once.
 */
export async function fraudRoute(
  request: Request,
  role: Extract<Role, "analyst" | "admin">,
  run: (ctx: { services: WebServices; actor: Actor }) => Promise<Response>,
): Promise<Response> {
  const access = await authorize(request, { role });
  if (!access.ok) return access.response;
  let services: WebServices;
  try {
    services = await getWebServices();
  } catch {
    return apiError(503, "unavailable", "the database is unavailable; retry shortly");
  }
  const { id, name } = access.principal;
  try {
    return await run({ services, actor: { kind: "user", id, name } });
  } catch (error) {
    if (error instanceof FraudAdminError) return apiError(STATUS[error.code], error.code, error.message);
    services.log.error("fraud request failed", errorFields(error));
    return apiError(500, "internal", "the request could not be completed; nothing was changed");
  }
}

export { noStore } from "./http";
