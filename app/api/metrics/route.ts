import { authorize } from "../../../server/web/guard";
import { handleMetrics } from "../../../server/web/metrics-routes";

export const dynamic = "force-dynamic";

/** GET /api/metrics — the metric definitions (live dashboards and reports pick from them). */
export async function GET(request: Request): Promise<Response> {
  const auth = await authorize(request, { role: "viewer", apiKey: "read" });
  if (!auth.ok) return auth.response;
  return handleMetrics();
}
