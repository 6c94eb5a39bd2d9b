import { SaveRuleSetRequest } from "../../../../../server/contract";
import { ruleSets, saveRules } from "../../../../../server/fraud/review";
import { parseBody } from "../../../../../server/web/admin-route";
import { fraudRoute, noStore } from "../../../../../server/web/fraud-route";

export const dynamic = "force-dynamic";

/** GET /api/admin/fraud/rules — the newest rule set and the last versions, newest first. */
export function GET(request: Request): Promise<Response> {
  return fraudRoute(request, "admin", async ({ services }) => {
    return Response.json(await ruleSets(services.db), noStore);
  });
}

/** PUT /api/admin/fraud/rules — saves the next version (409 when `baseVersion` is not the newest); audited. */
export function PUT(request: Request): Promise<Response> {
  return fraudRoute(request, "admin", async ({ services, actor }) => {
    const body = await parseBody(request, SaveRuleSetRequest);
    if (!body.ok) return body.response;
    return Response.json(await saveRules(services.db, actor, body.value), noStore);
  });
}
