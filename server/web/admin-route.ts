import type { z } from "zod";
import type { PrismaClient } from "../generated/prisma/client";
import { authorize } from "./guard";
import { getAuth } from "./principal";
import { AdminError, type AdminContext } from "../auth/users";
import { errorFields } from "../log";
import { apiError } from "./http";
import { announceRevocation } from "./session-revocation";
import { getWebServices } from "./services";

const STATUS: Record<AdminError["code"], number> = {
  not_found: 404,
  conflict: 409,
  last_admin: 409,
  self_change: 409,
  actor_revoked: 403,
};

/** An admin verb's context, and Prisma for the admin pages' reads (docs/decisions/0025). */
export type AdminRouteContext = AdminContext & { prisma: PrismaClient };

/**
 * The adapter of every `/api/admin/*` handler: admin role, parsed body, and the one mapping of
 * admin errors to HTTP. `run` gets the acting admin's context.
 */
export async function adminRoute(
  request: Request,
  run: (ctx: AdminRouteContext) => Promise<Response>,
): Promise<Response> {
  const access = await authorize(request, { role: "admin" });
  if (!access.ok) return access.response;
  const [services, auth] = await Promise.all([getWebServices(), getAuth()]);
  const passwords = (await auth.$context).password;
  const { nc, config, log } = services;
  const { id, name } = access.principal;
  const ctx: AdminRouteContext = {
    pool: services.db.pool,
    prisma: services.db.prisma,
    actor: { kind: "user", id, name },
    hashPassword: (password) => passwords.hash(password),
    onAccessChanged: (userId) => announceRevocation(nc, config, { userId }, log),
    onKeyRevoked: (apiKeyId) => {
      // This instance stops at once even if NATS cannot carry the announcement to the others.
      services.apiKeys.revoke(apiKeyId);
      announceRevocation(nc, config, { apiKeyId }, log);
    },
  };
  try {
    return await run(ctx);
  } catch (error) {
    if (error instanceof AdminError) return apiError(STATUS[error.code], error.code, error.message);
    services.log.error("admin change failed", errorFields(error));
    return apiError(500, "internal", "the change could not be made; nothing was changed or it was logged");
  }
}

/** Parses a JSON body against `schema`; a 400 naming the field otherwise. */
export async function parseBody<S extends z.ZodType>(
  request: Request,
  schema: S,
): Promise<{ ok: true; value: z.infer<S> } | { ok: false; response: Response }> {
  let body: unknown;
  try {
    body = await request.json();
  } catch {
    return { ok: false, response: apiError(400, "invalid_json", "the body is not valid JSON") };
  }
  const parsed = schema.safeParse(body);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issue = parsed.error.issues[0];
  const field = issue?.path.join(".") || "body";
  return {
    ok: false,
    response: apiError(400, "invalid_request", `${field}: ${issue?.message ?? "invalid"}`, {
      issues: parsed.error.issues,
    }),
  };
}
