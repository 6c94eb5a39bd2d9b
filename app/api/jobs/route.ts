import { authorize } from "../../../server/web/guard";
import { handleJobs } from "../../../server/web/jobs-routes";

export const dynamic = "force-dynamic";

/** GET /api/jobs?limit&queue&status — scheduler run history, queue states and reconciliation drift (analyst). */
export async function GET(request: Request): Promise<Response> {
  const auth = await authorize(request, { role: "analyst", apiKey: "read" });
  if (!auth.ok) return auth.response;
  return handleJobs(request);
}
