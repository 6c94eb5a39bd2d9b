import { AdminTargetPath } from "../../../../../server/contract";
import { decisionFor } from "../../../../../server/fraud/review";
import { fraudRoute, noStore } from "../../../../../server/web/fraud-route";
import { apiError } from "../../../../../server/web/http";
import { parsePathParams } from "../../../../../server/web/params";

export const dynamic = "force-dynamic";

/** GET /api/fraud/decisions/{id} — one decision, its features and the customer's recent history. */
export function GET(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  return fraudRoute(request, "analyst", async ({ services }) => {
    const path = await parsePathParams(AdminTargetPath, params);
    if (!path.ok) return path.response;
    const detail = await decisionFor(services.db, path.data.id);
    if (!detail) return apiError(404, "not_found", `no decision with id ${path.data.id}`);
    return Response.json(detail, noStore);
  });
}
