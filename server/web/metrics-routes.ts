import type { LiveMetricsResponse, MetricsResponse } from "../contract";
import { loadDefinitions } from "../db/metric-definitions";
import { errorFields } from "../log";
import { apiError } from "./http";
import { getWebServices } from "./services";

const NO_STORE = { "cache-control": "no-store" };

/** GET /api/metrics, after the route authorized the caller: every metric definition. */
export async function handleMetrics(): Promise<Response> {
  let services;
  try {
    services = await getWebServices();
  } catch {
    return apiError(503, "unavailable", "the service is starting or a dependency is down; retry later");
  }
  try {
    const { definitions } = await loadDefinitions(services.db.pool);
    const body: MetricsResponse = { metrics: definitions };
    return Response.json(body, { headers: NO_STORE });
  } catch (error) {
    services.log.error("loading metric definitions failed", errorFields(error));
    return apiError(500, "internal", "the metric definitions could not be read");
  }
}

/** GET /api/live/metrics, after the route authorized the caller: the enabled definitions. */
export async function handleLiveMetrics(): Promise<Response> {
  try {
    const { db } = await getWebServices();
    const { definitions } = await loadDefinitions(db.pool);
    const body: LiveMetricsResponse = { metrics: definitions.filter((d) => d.enabled) };
    return Response.json(body, { headers: NO_STORE });
  } catch {
    return apiError(503, "unavailable", "metric definitions are unavailable; retry shortly");
  }
}
