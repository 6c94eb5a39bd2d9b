import { DecisionQuery } from "../../../../server/contract";
import { reviewQueue } from "../../../../server/fraud/review";
import { fraudRoute, noStore } from "../../../../server/web/fraud-route";
import { parseQuery } from "../../../../server/web/params";

export const dynamic = "force-dynamic";

/** GET /api/fraud/decisions?decision&label&rule&q&before&limit — the review queue, newest first. */
export function GET(request: Request): Promise<Response> {
  return fraudRoute(request, "analyst", async ({ services }) => {
    const parsed = parseQuery(DecisionQuery, new URL(request.url));
    if (!parsed.ok) return parsed.response;
    return Response.json(await reviewQueue(services.db, parsed.data), noStore);
  });
}
