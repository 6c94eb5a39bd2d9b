import { natsNames } from "../config";
import { JobsQuery, type JobsResponse } from "../contract";
import { listDrift, listJobRuns, listReconciliations, queueStates } from "../db/job-history";
import { errorFields } from "../log";
import { apiError } from "./http";
import { parseQuery } from "./params";
import { getWebServices } from "./services";

/** GET /api/jobs, after the route authorized the caller (analyst or `read` key). */
export async function handleJobs(request: Request): Promise<Response> {
  const query = parseQuery(JobsQuery, new URL(request.url));
  if (!query.ok) return query.response;
  let services;
  try {
    services = await getWebServices();
  } catch {
    return apiError(503, "unavailable", "the service is starting or a dependency is down; retry later");
  }
  const { db, config, log } = services;
  try {
    const [runs, queues, reconciliations, drift] = await Promise.all([
      listJobRuns(db.pool, query.data),
      queueStates(db.pool, natsNames(config.NOWCAST_NAMESPACE).bossSchema),
      listReconciliations(db.pool, query.data.limit),
      listDrift(db.pool, query.data.limit),
    ]);
    const body: JobsResponse = {
      runs,
      queues,
      reconciliations,
      drift,
      generatedAt: new Date().toISOString(),
    };
    return Response.json(body, { headers: { "cache-control": "no-store" } });
  } catch (cause) {
    log.warn("GET /api/jobs failed", errorFields(cause));
    return apiError(503, "unavailable", "the run history could not be read");
  }
}
