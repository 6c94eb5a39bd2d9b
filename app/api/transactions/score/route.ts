import { performance } from "node:perf_hooks";
import { scoreRoute } from "../../../../server/web/score-routes";

export const dynamic = "force-dynamic";

/**
 * POST /api/transactions/score — one `transaction` event in, its fraud decision out (200);
 * a repeated id gets the stored decision. 400 with the contract's reasons for an invalid
 * event. Needs a `score` API key. The custom server answers this path before Next does
 * (server/web/main.ts); both run `scoreRoute`.
 */
export async function POST(request: Request): Promise<Response> {
  // The decision latency counts from the request's arrival, authorization included.
  const startedAt = performance.now();
  return scoreRoute(request, startedAt);
}
