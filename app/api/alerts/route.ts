import { authorize } from "../../../server/web/guard";
import { readAlerts } from "../../../server/alerts/alerts-view";
import { noStore } from "../../../server/web/alerts-route";
import { getWebServices } from "../../../server/web/services";

export const dynamic = "force-dynamic";

/** GET /api/alerts?all=1&rule=<id> — alert instances (not normal unless `all`) and recent transitions. */
export async function GET(request: Request): Promise<Response> {
  const access = await authorize(request, { role: "viewer" });
  if (!access.ok) return access.response;
  const url = new URL(request.url);
  const rule = url.searchParams.get("rule");
  const { db } = await getWebServices();
  const alerts = await readAlerts(db.pool, Date.now(), {
    includeNormal: url.searchParams.get("all") === "1",
    ...(rule ? { ruleId: rule.slice(0, 64) } : {}),
  });
  return Response.json(alerts, noStore);
}
