import { AlertAdminError, type AlertAdminContext } from "../alerts/admin-tx";
import { authSecret } from "../auth/auth";
import type { MetricDefinition } from "../contract";
import { loadDefinitions } from "../db/metric-definitions";
import { errorFields } from "../log";
import { adminRoute } from "./admin-route";
import { apiError } from "./http";
import { getWebServices } from "./services";

const STATUS: Record<AlertAdminError["code"], number> = {
  invalid: 400,
  not_found: 404,
  conflict: 409,
  actor_revoked: 403,
};

export interface AlertRouteContext extends AlertAdminContext {
  definitions: ReadonlyMap<string, MetricDefinition>;
  publicUrl: string;
}

/**
 * The adapter of every `/api/admin/alerts/*` handler: the admin role (adminRoute), the
 * services the verbs need, and the one mapping of AlertAdminError to HTTP (400 names the field).
 */
export function alertAdminRoute(
  request: Request,
  run: (ctx: AlertRouteContext) => Promise<Response>,
): Promise<Response> {
  return adminRoute(request, async (admin) => {
    const services = await getWebServices();
    const defs = await loadDefinitions(services.db.pool);
    const ctx: AlertRouteContext = {
      prisma: services.db.prisma,
      actor: admin.actor,
      masterSecret: authSecret(services.config),
      definitions: new Map(defs.definitions.map((d) => [d.name, d])),
      publicUrl: services.config.NOWCAST_PUBLIC_URL ?? new URL(request.url).origin,
    };
    try {
      return await run(ctx);
    } catch (error) {
      if (error instanceof AlertAdminError)
        return apiError(
          STATUS[error.code],
          error.code === "invalid" ? "invalid_request" : error.code,
          error.message,
          {
            field: error.field,
          },
        );
      services.log.error("alerting change failed", errorFields(error));
      return apiError(500, "internal", "the change could not be made");
    }
  });
}

export { noStore } from "./http";
