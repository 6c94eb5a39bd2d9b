import { AdminTargetPath, LabelRequest } from "../../../../../../server/contract";
import { labelTransaction } from "../../../../../../server/fraud/review";
import { parseBody } from "../../../../../../server/web/admin-route";
import { fraudRoute, noStore } from "../../../../../../server/web/fraud-route";
import { parsePathParams } from "../../../../../../server/web/params";

export const dynamic = "force-dynamic";

/** PUT /api/fraud/decisions/{id}/label — fraud or legitimate with a note (replaces an earlier label); audited. */
export function PUT(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  return fraudRoute(request, "analyst", async ({ services, actor }) => {
    const body = await parseBody(request, LabelRequest);
    if (!body.ok) return body.response;
    const path = await parsePathParams(AdminTargetPath, params);
    if (!path.ok) return path.response;
    await labelTransaction(services.db, actor, path.data.id, body.value);
    return Response.json({ id: path.data.id, ...body.value }, noStore);
  });
}
