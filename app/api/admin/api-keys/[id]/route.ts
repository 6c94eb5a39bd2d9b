import { revokeApiKey } from "../../../../../server/auth/api-keys";
import { recordAudit } from "../../../../../server/auth/audit";
import { adminRoute } from "../../../../../server/web/admin-route";
import { AdminTargetPath } from "../../../../../server/contract";
import { apiError } from "../../../../../server/web/http";
import { parsePathParams } from "../../../../../server/web/params";

export const dynamic = "force-dynamic";

/** DELETE /api/admin/api-keys/{id} — revokes the key; the next request with it gets 401. */
export function DELETE(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  return adminRoute(request, async (ctx) => {
    const path = await parsePathParams(AdminTargetPath, params);
    if (!path.ok) return path.response;
    const { id } = path.data;
    const result = await revokeApiKey(ctx.pool, id);
    if (!result) return apiError(404, "not_found", `no API key with id ${id}`);
    if (result.before.revokedAt === null)
      await recordAudit(ctx.pool, ctx.actor, {
        action: "api_key.revoke",
        targetType: "api_key",
        targetId: id,
        targetLabel: result.after.name,
        before: { revokedAt: null },
        after: { revokedAt: result.after.revokedAt },
      });
    return Response.json({ apiKey: result.after });
  });
}
