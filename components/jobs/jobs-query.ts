import { queryOptions, useQuery } from "@tanstack/react-query";
import { ApiError, JobsResponse, type JobStatus } from "../../server/contract";

export interface JobsFilter {
  queue?: string;
  status?: JobStatus;
}

/** An API answer that was not 200: its error code and message, shown on screen. */
export class JobsFetchError extends Error {
  override name = "JobsFetchError";
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

async function fetchJobs(filter: JobsFilter, signal: AbortSignal): Promise<JobsResponse> {
  const params = new URLSearchParams({ limit: "100" });
  if (filter.queue) params.set("queue", filter.queue);
  if (filter.status) params.set("status", filter.status);
  const response = await fetch(`/api/jobs?${params.toString()}`, { signal, cache: "no-store" });
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const parsed = ApiError.safeParse(body);
    throw new JobsFetchError(
      parsed.success ? parsed.data.error.message : `GET /api/jobs answered ${response.status}`,
      response.status,
    );
  }
  return JobsResponse.parse(body);
}

/** Stable key per filter; refreshed every 10 s while the page is open. */
export const jobsQueryOptions = (filter: JobsFilter) =>
  queryOptions({
    queryKey: ["jobs", filter.queue ?? "", filter.status ?? ""],
    queryFn: ({ signal }) => fetchJobs(filter, signal),
    refetchInterval: 10_000,
    retry: 1,
  });

export const useJobsQuery = (filter: JobsFilter) => useQuery(jobsQueryOptions(filter));
