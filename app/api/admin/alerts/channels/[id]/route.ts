import { AdminTargetPath, AlertChannelSpec } from "../../../../../../server/contract";
import { deleteChannel, updateChannel } from "../../../../../../server/alerts/channels-admin";
import { parseBody } from "../../../../../../server/web/admin-route";
import { alertAdminRoute, noStore } from "../../../../../../server/web/alerts-route";
import { apiError } from "../../../../../../server/web/http";
import { parsePathParams } from "../../../../../../server/web/params";

export const dynamic = "force-dynamic";
type Params = { params: Promise<{ id: string }> };

/** PUT /api/admin/alerts/channels/{id} — edits a channel; without `secret` the stored one stays. */
export function PUT(request: Request, { params }: Params): Promise<Response> {
  return alertAdminRoute(request, async (ctx) => {
    const path = await parsePathParams(AdminTargetPath, params);
    if (!path.ok) return path.response;
    const body = await parseBody(request, AlertChannelSpec);
    if (!body.ok) return body.response;
    return Response.json({ channel: await updateChannel(ctx, path.data.id, body.value) }, noStore);
  });
}

/** DELETE /api/admin/alerts/channels/{id} */
export function DELETE(request: Request, { params }: Params): Promise<Response> {
  return alertAdminRoute(request, async (ctx) => {
    const path = await parsePathParams(AdminTargetPath, params);
    if (!path.ok) return path.response;
    if (!(await deleteChannel(ctx, path.data.id)))
      return apiError(404, "not_found", `no channel with id ${path.data.id}`);
    return Response.json({ deleted: path.data.id }, noStore);
  });
}
