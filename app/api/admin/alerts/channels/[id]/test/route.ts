import { AdminTargetPath } from "../../../../../../../server/contract";
import { queueTestDelivery } from "../../../../../../../server/alerts/channels-admin";
import { alertAdminRoute, noStore } from "../../../../../../../server/web/alerts-route";
import { apiError } from "../../../../../../../server/web/http";
import { parsePathParams } from "../../../../../../../server/web/params";

export const dynamic = "force-dynamic";

/** POST /api/admin/alerts/channels/{id}/test — queues a test notification (see the delivery log). */
export function POST(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  return alertAdminRoute(request, async (ctx) => {
    const path = await parsePathParams(AdminTargetPath, params);
    if (!path.ok) return path.response;
    const id = await queueTestDelivery(ctx.prisma, path.data.id, ctx.publicUrl);
    if (!id) return apiError(404, "not_found", `no channel with id ${path.data.id}`);
    return Response.json({ deliveryId: id }, { status: 202, ...noStore });
  });
}
