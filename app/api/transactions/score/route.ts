import { performance } from "node:perf_hooks";
import { authorize } from "../../../../server/auth/guard";
import { EVENT_LIMITS } from "../../../../server/contract";
import { scoreEvent } from "../../../../server/fraud/score";
import { errorFields } from "../../../../server/log";
import { scoreContext, scoreDeps, scorePorts } from "../../../../server/web/fraud-ports";
import { apiError } from "../../../../server/web/http";
import { checkJsonContentType, readRequestBody, RequestBodyError } from "../../../../server/web/request-body";
import { getWebServices } from "../../../../server/web/services";

export const dynamic = "force-dynamic";

/**
 * POST /api/transactions/score — one `transaction` event in, its fraud decision out (200);
 * a repeated id gets the stored decision. 400 with the contract's reasons for an invalid
 * event. Needs a `score` API key.
 */
export async function POST(request: Request): Promise<Response> {
  const startedAt = performance.now();
  const access = await authorize(request, { apiKey: "score" });
  if (!access.ok) return access.response;
  const badType = checkJsonContentType(request.headers.get("content-type"));
  if (badType) return apiError(badType.status, badType.code, badType.message);
  let body: Uint8Array;
  try {
    body = await readRequestBody(request, EVENT_LIMITS.maxPayloadBytes * 2);
  } catch (error) {
    if (error instanceof RequestBodyError) return apiError(error.status, error.code, error.message);
    throw error;
  }
  let services;
  try {
    services = await getWebServices();
  } catch {
    return apiError(503, "unavailable", "scoring is unavailable; retry later (ids make retries safe)");
  }
  try {
    const outcome = await scoreEvent(
      scorePorts(scoreDeps(services)),
      body,
      scoreContext(services, Date.now(), startedAt),
    );
    if (outcome.ok) return Response.json(outcome.response);
    return apiError(400, "invalid_event", outcome.reasons[0]?.message ?? "invalid event", {
      ...(outcome.id ? { id: outcome.id } : {}),
      reasons: outcome.reasons,
    });
  } catch (error) {
    services.log.error("scoring failed", errorFields(error));
    return apiError(503, "unavailable", "scoring is unavailable; retry later (ids make retries safe)");
  }
}
