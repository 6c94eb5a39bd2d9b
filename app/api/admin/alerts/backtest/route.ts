import { BacktestRequest } from "../../../../../server/contract";
import { runBacktest } from "../../../../../server/alerts/backtest-service";
import { parseBody } from "../../../../../server/web/admin-route";
import { alertAdminRoute, noStore } from "../../../../../server/web/alerts-route";
import { getWebServices } from "../../../../../server/web/services";

export const dynamic = "force-dynamic";

/** POST /api/admin/alerts/backtest — replays stored rollups through the evaluator (nothing is saved). */
export function POST(request: Request): Promise<Response> {
  return alertAdminRoute(request, async (ctx) => {
    const body = await parseBody(request, BacktestRequest);
    if (!body.ok) return body.response;
    const { db } = await getWebServices();
    return Response.json(await runBacktest(db.pool, body.value, ctx.definitions, Date.now()), noStore);
  });
}
