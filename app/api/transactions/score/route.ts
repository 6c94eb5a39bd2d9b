import { performance } from "node:perf_hooks";
import { authorize } from "../../../../server/web/guard";
import { handleScore } from "../../../../server/web/score-routes";

export const dynamic = "force-dynamic";

/**
 * POST /api/transactions/score — one `transaction` event in, its fraud decision out (200);
 * a repeated id gets the stored decision. 400 with the contract's reasons for an invalid
 * event. Needs a `score` API key.
 */
export async function POST(request: Request): Promise<Response> {
  // The decision latency counts from the request's arrival, authorization included.
  const startedAt = performance.now();
  const access = await authorize(request, { apiKey: "score" });
  if (!access.ok) return access.response;
  return handleScore(request, startedAt);
}
