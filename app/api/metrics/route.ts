import { authorize } from "../../../server/web/guard";
import type { MetricsResponse } from "../../../server/contract";
import { loadDefinitions } from "../../../server/db/metric-definitions";
import { errorFields } from "../../../server/log";
import { apiError } from "../../../server/web/http";
import { getWebServices } from "../../../server/web/services";

export const dynamic = "force-dynamic";

/** GET /api/metrics — the metric definitions (live dashboards and reports pick from them). */
export async function GET(request: Request): Promise<Response> {
  const auth = await authorize(request, { role: "viewer", apiKey: "read" });
  if (!auth.ok) return auth.response;
  let services;
  try {
    services = await getWebServices();
  } catch {
    return apiError(503, "unavailable", "the service is starting or a dependency is down; retry later");
  }
  try {
    const { definitions } = await loadDefinitions(services.db.pool);
    const body: MetricsResponse = { metrics: definitions };
    return Response.json(body, { headers: { "cache-control": "no-store" } });
  } catch (error) {
    services.log.error("loading metric definitions failed", errorFields(error));
    return apiError(500, "internal", "the metric definitions could not be read");
  }
}
