import { useQuery } from "@tanstack/react-query";
import { metricsQueryOptions } from "./query-options";

/** The metric definitions (for the picker). */
export function useMetricsQuery() {
  return useQuery(metricsQueryOptions());
}
