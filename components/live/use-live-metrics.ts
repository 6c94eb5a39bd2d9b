"use client";

import { queryOptions, useQuery } from "@tanstack/react-query";
import { LiveMetricsResponse } from "../../server/contract";

/** The enabled metric definitions, refreshed every minute (admins may edit them). */
export const liveMetricsQuery = queryOptions({
  queryKey: ["live", "metrics"],
  queryFn: async () => {
    const response = await fetch("/api/live/metrics", { headers: { accept: "application/json" } });
    if (!response.ok) throw new Error(`metric definitions: HTTP ${response.status}`);
    return LiveMetricsResponse.parse(await response.json()).metrics;
  },
  refetchInterval: 60_000,
});

export function useLiveMetrics() {
  return useQuery(liveMetricsQuery);
}
