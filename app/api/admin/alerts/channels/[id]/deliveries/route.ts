import { AdminTargetPath } from "../../../../../../../server/contract";
import { listDeliveries } from "../../../../../../../server/alerts/channels-admin";
import { alertAdminRoute, noStore } from "../../../../../../../server/web/alerts-route";
import { parsePathParams } from "../../../../../../../server/web/params";

export const dynamic = "force-dynamic";

/** GET /api/admin/alerts/channels/{id}/deliveries — the latest 50 deliveries with status codes. */
export function GET(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  return alertAdminRoute(request, async (ctx) => {
    const path = await parsePathParams(AdminTargetPath, params);
    if (!path.ok) return path.response;
    return Response.json({ deliveries: await listDeliveries(ctx.prisma, path.data.id) }, noStore);
  });
}
