import { AlertRuleSpec } from "../../../../../server/contract";
import { createRule, listRules } from "../../../../../server/alerts/rules-admin";
import { parseBody } from "../../../../../server/web/admin-route";
import { alertAdminRoute, noStore } from "../../../../../server/web/alerts-route";

export const dynamic = "force-dynamic";

/** GET /api/admin/alerts/rules — every rule, with why it cannot be evaluated (if so). */
export function GET(request: Request): Promise<Response> {
  return alertAdminRoute(request, async (ctx) =>
    Response.json(
      { rules: await listRules(ctx.prisma, ctx.definitions), metrics: [...ctx.definitions.values()] },
      noStore,
    ),
  );
}

/** POST /api/admin/alerts/rules — creates a rule (400 naming the field when it cannot be evaluated). */
export function POST(request: Request): Promise<Response> {
  return alertAdminRoute(request, async (ctx) => {
    const body = await parseBody(request, AlertRuleSpec);
    if (!body.ok) return body.response;
    return Response.json(
      { rule: await createRule(ctx, body.value, ctx.definitions) },
      { status: 201, ...noStore },
    );
  });
}
