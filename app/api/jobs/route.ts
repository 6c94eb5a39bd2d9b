import { natsNames } from "../../../server/config";
import { JobsQuery, type JobsResponse } from "../../../server/contract";
import { authorize } from "../../../server/auth/guard";
import { listDrift, listJobRuns, listReconciliations, queueStates } from "../../../server/db/job-history";
import { errorFields } from "../../../server/log";
import { apiError } from "../../../server/web/http";
import { getWebServices } from "../../../server/web/services";

export const dynamic = "force-dynamic";

/** GET /api/jobs?limit&queue&status — scheduler run history, queue states and reconciliation drift (analyst). */
export async function GET(request: Request): Promise<Response> {
  const auth = await authorize(request, { role: "analyst", apiKey: "read" });
  if (!auth.ok) return auth.response;
  const params = Object.fromEntries(new URL(request.url).searchParams);
  const query = JobsQuery.safeParse(params);
  if (!query.success) {
    const issue = query.error.issues[0];
    const field = issue?.path.join(".") ?? "query";
    return apiError(400, "invalid_query", `${field}: ${issue?.message ?? "invalid"}`, {
      issues: query.error.issues.map((i) => ({ field: i.path.join("."), message: i.message })),
    });
  }
  const { db, config, log } = await getWebServices();
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
