// expect: nothing
import { authorize } from "../../../server/web/guard";
import { handleMetrics } from "../../../server/web/metrics-routes";

export async function GET(request: Request): Promise<Response> {
  const auth = await authorize(request, { role: "viewer", apiKey: "read" });
  return auth.ok ? handleMetrics() : auth.response;
}
