import { authorize } from "../../../../server/web/guard";
import { AcknowledgeRequest } from "../../../../server/contract";
import { acknowledgeAlert } from "../../../../server/alerts/acknowledge";
import { parseBody } from "../../../../server/web/admin-route";
import { noStore } from "../../../../server/web/alerts-route";
import { apiError } from "../../../../server/web/http";
import { getWebServices } from "../../../../server/web/services";

export const dynamic = "force-dynamic";

/** POST /api/alerts/acknowledge — {ruleId, group, note}: mutes repeats until the state changes. */
export async function POST(request: Request): Promise<Response> {
  const access = await authorize(request, { role: "viewer" });
  if (!access.ok) return access.response;
  const body = await parseBody(request, AcknowledgeRequest);
  if (!body.ok) return body.response;
  const { db } = await getWebServices();
  const state = await acknowledgeAlert(db.pool, body.value, access.principal.name, Date.now());
  if (state === null)
    return apiError(404, "not_found", `no alert instance ${body.value.ruleId} [${body.value.group}]`);
  return Response.json({ acknowledged: true, state }, noStore);
}
