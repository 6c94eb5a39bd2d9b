import { revokeKey } from "../../../../../server/auth/api-key-admin";
import { adminRoute } from "../../../../../server/web/admin-route";
import { apiError } from "../../../../../server/web/http";

export const dynamic = "force-dynamic";

/** DELETE /api/admin/api-keys/{id} — revokes the key; the next request with it gets 401. */
export function DELETE(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  return adminRoute(request, async (ctx) => {
    const { id } = await params;
    const apiKey = await revokeKey(ctx, id);
    if (!apiKey) return apiError(404, "not_found", `no API key with id ${id}`);
    return Response.json({ apiKey }, { headers: { "cache-control": "no-store" } });
  });
}
