import { authorize } from "../../../../server/web/guard";
import { handleLiveMetrics } from "../../../../server/web/metrics-routes";

export const dynamic = "force-dynamic";

/** `GET /api/live/metrics` (role viewer): the enabled metric definitions the live page shows. */
export async function GET(request: Request): Promise<Response> {
  const auth = await authorize(request, { role: "viewer", apiKey: "read" });
  if (!auth.ok) return auth.response;
  return handleLiveMetrics();
}
