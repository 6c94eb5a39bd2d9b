import { BreakdownQuery, SeriesQuery } from "../contract/history";
import { MetricPath } from "../contract/params";
import { breakdownCsv, seriesCsv } from "../core/history/csv";
import { queryBreakdown, querySeries, type HistoryDeps } from "../history/history";
import { apiError } from "./http";
import { cacheableResponse, historyErrorResponse } from "./history-http";
import { parsePathParams, parseQuery } from "./params";
import { getWebServices, type WebServices } from "./services";

/** Route context of `app/api/metrics/[name]/…` (Next 16 passes params as a promise). */
export interface MetricRouteContext {
  params: Promise<{ name: string }>;
}

const JSON_TYPE = "application/json; charset=utf-8";
const CSV_TYPE = "text/csv; charset=utf-8";

async function services(): Promise<WebServices | Response> {
  try {
    return await getWebServices();
  } catch {
    return apiError(503, "unavailable", "the service is starting or a dependency is down; retry later");
  }
}

const depsOf = (s: WebServices): HistoryDeps => ({
  pool: s.db.pool,
  outOfOrdernessMs: s.config.NOWCAST_OUT_OF_ORDERNESS_MS,
  now: Date.now,
});

/** GET /api/metrics/{name}/series, after the route authorized the caller (analyst or `read` key). */
export async function handleSeries(request: Request, context: MetricRouteContext): Promise<Response> {
  const path = await parsePathParams(MetricPath, context.params);
  if (!path.ok) return path.response;
  const { name } = path.data;
  const parsed = parseQuery(SeriesQuery, new URL(request.url));
  if (!parsed.ok) return parsed.response;
  const web = await services();
  if (web instanceof Response) return web;
  try {
    const series = await querySeries(depsOf(web), name, parsed.data);
    return parsed.data.format === "csv"
      ? cacheableResponse(request, seriesCsv(series), CSV_TYPE, series.complete, `${name}-series.csv`)
      : cacheableResponse(request, JSON.stringify(series), JSON_TYPE, series.complete);
  } catch (error) {
    return historyErrorResponse(error, web.log);
  }
}

/** GET /api/metrics/{name}/breakdown, after the route authorized the caller (analyst or `read` key). */
export async function handleBreakdown(request: Request, context: MetricRouteContext): Promise<Response> {
  const path = await parsePathParams(MetricPath, context.params);
  if (!path.ok) return path.response;
  const { name } = path.data;
  const parsed = parseQuery(BreakdownQuery, new URL(request.url));
  if (!parsed.ok) return parsed.response;
  const web = await services();
  if (web instanceof Response) return web;
  try {
    const breakdown = await queryBreakdown(depsOf(web), name, parsed.data);
    return parsed.data.format === "csv"
      ? cacheableResponse(
          request,
          breakdownCsv(breakdown),
          CSV_TYPE,
          breakdown.complete,
          `${name}-breakdown.csv`,
        )
      : cacheableResponse(request, JSON.stringify(breakdown), JSON_TYPE, breakdown.complete);
  } catch (error) {
    return historyErrorResponse(error, web.log);
  }
}
