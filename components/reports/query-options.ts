import { queryOptions } from "@tanstack/react-query";
import { ApiError, MetricsResponse, SeriesResponse } from "../../server/contract";
import type { Step } from "../../server/contract/history";
import type { z } from "zod";

/** A failed API call, carrying the API's own message (e.g. "step: … more than 5000 buckets"). */
export class ApiRequestError extends Error {
  override name = "ApiRequestError";
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function getJson<T>(url: string, schema: z.ZodType<T>, signal: AbortSignal): Promise<T> {
  const response = await fetch(url, { signal, headers: { accept: "application/json" } });
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const error = ApiError.safeParse(body);
    throw new ApiRequestError(
      response.status,
      error.success ? error.data.error.message : `the server answered ${response.status}`,
    );
  }
  return schema.parse(body);
}

export const metricsQueryOptions = () =>
  queryOptions({
    queryKey: ["metrics"],
    queryFn: ({ signal }) => getJson("/api/metrics", MetricsResponse, signal),
    staleTime: 5 * 60_000,
  });

/** What one series request asks for (the query key holds all of it). */
export interface SeriesParams {
  metric: string;
  from: number;
  to: number;
  step: Step | "auto";
  tz: string;
  groupBy: string | null;
  limit: number;
}

export function seriesUrl(params: SeriesParams, format: "json" | "csv" = "json"): string {
  const search = new URLSearchParams({
    from: new Date(params.from).toISOString(),
    to: new Date(params.to).toISOString(),
    step: params.step,
    tz: params.tz,
    limit: String(params.limit),
    format,
  });
  if (params.groupBy) search.set("groupBy", params.groupBy);
  return `/api/metrics/${encodeURIComponent(params.metric)}/series?${search}`;
}

// Final ranges do not change (the API marks them cacheable), so cached answers stay fresh for
// a while and switching back to an earlier view shows it at once.
export const seriesQueryOptions = (params: SeriesParams) =>
  queryOptions({
    queryKey: ["series", params],
    queryFn: ({ signal }) => getJson(seriesUrl(params), SeriesResponse, signal),
    staleTime: 60_000,
  });
