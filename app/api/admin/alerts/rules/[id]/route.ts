import { AlertRuleSpec, AdminTargetPath } from "../../../../../../server/contract";
import { deleteRule, updateRule } from "../../../../../../server/alerts/rules-admin";
import { parseBody } from "../../../../../../server/web/admin-route";
import { alertAdminRoute, noStore } from "../../../../../../server/web/alerts-route";
import { apiError } from "../../../../../../server/web/http";
import { parsePathParams } from "../../../../../../server/web/params";

export const dynamic = "force-dynamic";
type Params = { params: Promise<{ id: string }> };

/** PUT /api/admin/alerts/rules/{id} — saves a new version of the rule (enable/disable included). */
export function PUT(request: Request, { params }: Params): Promise<Response> {
  return alertAdminRoute(request, async (ctx) => {
    const path = await parsePathParams(AdminTargetPath, params);
    if (!path.ok) return path.response;
    const body = await parseBody(request, AlertRuleSpec);
    if (!body.ok) return body.response;
    return Response.json({ rule: await updateRule(ctx, path.data.id, body.value, ctx.definitions) }, noStore);
  });
}

/** DELETE /api/admin/alerts/rules/{id} — deletes the rule with its instances and history. */
export function DELETE(request: Request, { params }: Params): Promise<Response> {
  return alertAdminRoute(request, async (ctx) => {
    const path = await parsePathParams(AdminTargetPath, params);
    if (!path.ok) return path.response;
    if (!(await deleteRule(ctx, path.data.id)))
      return apiError(404, "not_found", `no alert rule with id ${path.data.id}`);
    return Response.json({ deleted: path.data.id }, noStore);
  });
}
