import { CreateApiKeyRequest } from "../../../../server/contract";
import { createApiKey, listApiKeys } from "../../../../server/auth/api-keys";
import { recordAudit } from "../../../../server/auth/audit";
import { adminRoute, parseBody } from "../../../../server/web/admin-route";

export const dynamic = "force-dynamic";

/** GET /api/admin/api-keys — every key (never the secret). */
export function GET(request: Request): Promise<Response> {
  return adminRoute(request, async (ctx) =>
    Response.json({ apiKeys: await listApiKeys(ctx.pool) }, { headers: { "cache-control": "no-store" } }),
  );
}

/** POST /api/admin/api-keys — creates a key; its secret is in this answer only. */
export function POST(request: Request): Promise<Response> {
  return adminRoute(request, async (ctx) => {
    const body = await parseBody(request, CreateApiKeyRequest);
    if (!body.ok) return body.response;
    const { view, secret } = await createApiKey(ctx.pool, { ...body.value, createdBy: ctx.actor.id });
    await recordAudit(ctx.pool, ctx.actor, {
      action: "api_key.create",
      targetType: "api_key",
      targetId: view.id,
      targetLabel: view.name,
      before: null,
      after: { name: view.name, scope: view.scope, prefix: view.prefix },
    });
    return Response.json({ apiKey: view, secret }, { status: 201, headers: { "cache-control": "no-store" } });
  });
}
