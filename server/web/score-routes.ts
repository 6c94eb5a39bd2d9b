import { EVENT_LIMITS } from "../contract";
import { scoreEvent } from "../fraud/score";
import { errorFields } from "../log";
import { scoreContext, scoreDeps, scorePorts } from "./fraud-ports";
import { apiError } from "./http";
import { checkJsonContentType, readRequestBody, RequestBodyError } from "./request-body";
import { getWebServices } from "./services";
import { authorize } from "./guard";

const unavailable = () =>
  apiError(503, "unavailable", "scoring is unavailable; retry later (ids make retries safe)");

export const SCORE_PATH = "/api/transactions/score";

/**
 * POST /api/transactions/score: a `score` API key, then the decision. The custom server answers
 * this path itself (server/web/main.ts), so a decision skips Next's router and response
 * compression; the Next route (app/api/transactions/score) runs the same function.
 */
export async function scoreRoute(request: Request, startedAt: number): Promise<Response> {
  const access = await authorize(request, { apiKey: "score" });
  if (!access.ok) return access.response;
  return handleScore(request, startedAt);
}

/** POST /api/transactions/score, after the route authorized the caller (a `score` API key). */
async function handleScore(request: Request, startedAt: number): Promise<Response> {
  const badType = checkJsonContentType(request.headers.get("content-type"));
  if (badType) return apiError(badType.status, badType.code, badType.message);
  let body: Uint8Array;
  try {
    // Twice the event limit: a larger event is still answered with the contract's reason.
    body = await readRequestBody(request, EVENT_LIMITS.maxPayloadBytes * 2);
  } catch (error) {
    if (error instanceof RequestBodyError) return apiError(error.status, error.code, error.message);
    throw error;
  }
  let services;
  try {
    services = await getWebServices();
  } catch {
    return unavailable();
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
    return unavailable();
  }
}
