import { authorize } from "../../../../../server/web/guard";
import { handleBreakdown, type MetricRouteContext } from "../../../../../server/web/history-routes";

export const dynamic = "force-dynamic";

/** GET /api/metrics/{name}/breakdown?from&to&by&tz&limit&format — see README "History API". */
export async function GET(request: Request, context: MetricRouteContext): Promise<Response> {
  const auth = await authorize(request, { role: "analyst", apiKey: "read" });
  if (!auth.ok) return auth.response;
  return handleBreakdown(request, context);
}
