import { revokeKey } from "../../../../../server/auth/api-key-admin";
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
    const apiKey = await revokeKey(ctx, id);
    if (!apiKey) return apiError(404, "not_found", `no API key with id ${id}`);
    return Response.json({ apiKey }, { headers: { "cache-control": "no-store" } });
  });
}
