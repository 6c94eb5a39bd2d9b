import { QualityQuery } from "../../../../server/contract";
import { fraudQuality } from "../../../../server/fraud/review";
import { fraudRoute, noStore } from "../../../../server/web/fraud-route";
import { parseQuery } from "../../../../server/web/params";

export const dynamic = "force-dynamic";

/** GET /api/fraud/quality?days — precision, recall and flag rate overall and per rule, from the labels. */
export function GET(request: Request): Promise<Response> {
  return fraudRoute(request, "analyst", async ({ services }) => {
    const parsed = parseQuery(QualityQuery, new URL(request.url));
    if (!parsed.ok) return parsed.response;
    return Response.json(await fraudQuality(services.db.pool, parsed.data.days, Date.now()), noStore);
  });
}
