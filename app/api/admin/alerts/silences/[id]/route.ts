import { AdminTargetPath } from "../../../../../../server/contract";
import { deleteSilence } from "../../../../../../server/alerts/channels-admin";
import { alertAdminRoute, noStore } from "../../../../../../server/web/alerts-route";
import { apiError } from "../../../../../../server/web/http";
import { parsePathParams } from "../../../../../../server/web/params";

export const dynamic = "force-dynamic";

/** DELETE /api/admin/alerts/silences/{id} — ends a silence. */
export function DELETE(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  return alertAdminRoute(request, async (ctx) => {
    const path = await parsePathParams(AdminTargetPath, params);
    if (!path.ok) return path.response;
    if (!(await deleteSilence(ctx, path.data.id)))
      return apiError(404, "not_found", `no silence with id ${path.data.id}`);
    return Response.json({ deleted: path.data.id }, noStore);
  });
}
