import { useQuery } from "@tanstack/react-query";
import { seriesQueryOptions, type SeriesParams } from "./query-options";

const IDLE: SeriesParams = { metric: "", from: 0, to: 0, step: "auto", tz: "UTC", groupBy: null, limit: 5 };

/** One series; null params (no metric chosen yet, or compare off) run no request. */
export function useSeriesQuery(params: SeriesParams | null) {
  return useQuery({ ...seriesQueryOptions(params ?? IDLE), enabled: params !== null });
}
