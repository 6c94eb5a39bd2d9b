import type { LiveMetricsResponse } from "../../../../server/contract";
import { authorize } from "../../../../server/web/guard";
import { loadDefinitions } from "../../../../server/db/metric-definitions";
import { apiError } from "../../../../server/web/http";
import { getWebServices } from "../../../../server/web/services";

export const dynamic = "force-dynamic";

/** `GET /api/live/metrics` (role viewer): the enabled metric definitions the live page shows. */
export async function GET(request: Request): Promise<Response> {
  const auth = await authorize(request, { role: "viewer", apiKey: "read" });
  if (!auth.ok) return auth.response;
  try {
    const { db } = await getWebServices();
    const { definitions } = await loadDefinitions(db.pool);
    const body: LiveMetricsResponse = { metrics: definitions.filter((d) => d.enabled) };
    return Response.json(body, { headers: { "cache-control": "no-store" } });
  } catch {
    return apiError(503, "unavailable", "metric definitions are unavailable; retry shortly");
  }
}
