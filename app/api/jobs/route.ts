import { natsNames } from "../../../server/config";
import { JobsQuery, type JobsResponse } from "../../../server/contract";
import { authorize } from "../../../server/web/guard";
import { listDrift, listJobRuns, listReconciliations, queueStates } from "../../../server/db/job-history";
import { errorFields } from "../../../server/log";
import { apiError } from "../../../server/web/http";
import { parseQuery } from "../../../server/web/params";
import { getWebServices } from "../../../server/web/services";

export const dynamic = "force-dynamic";

/** GET /api/jobs?limit&queue&status — scheduler run history, queue states and reconciliation drift (analyst). */
export async function GET(request: Request): Promise<Response> {
  const auth = await authorize(request, { role: "analyst", apiKey: "read" });
  if (!auth.ok) return auth.response;
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
