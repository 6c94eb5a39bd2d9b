import { FraudBacktestRequest } from "../../../../../server/contract";
import { backtestStored } from "../../../../../server/fraud/review";
import { parseBody } from "../../../../../server/web/admin-route";
import { fraudRoute, noStore } from "../../../../../server/web/fraud-route";

export const dynamic = "force-dynamic";

/**
 * POST /api/admin/fraud/backtest — a candidate rule set over the stored decisions of the last
 * `days` (their features as decided): would-flag count, precision/recall against the labels.
 * Changes nothing.
 */
export function POST(request: Request): Promise<Response> {
  return fraudRoute(request, "admin", async ({ services }) => {
    const body = await parseBody(request, FraudBacktestRequest);
    if (!body.ok) return body.response;
    return Response.json(await backtestStored(services.db.pool, body.value, Date.now()), noStore);
  });
}
