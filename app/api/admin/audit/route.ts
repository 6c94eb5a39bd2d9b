import { AuditQuery } from "../../../../server/contract";
import { queryAudit } from "../../../../server/auth/audit";
import { adminRoute } from "../../../../server/web/admin-route";
import { apiError } from "../../../../server/web/http";

export const dynamic = "force-dynamic";

/** GET /api/admin/audit?actor&action&target&from&to&before&limit — admin changes, newest first. */
export function GET(request: Request): Promise<Response> {
  return adminRoute(request, async (ctx) => {
    const params = Object.fromEntries(new URL(request.url).searchParams);
    const parsed = AuditQuery.safeParse(params);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return apiError(
        400,
        "invalid_request",
        `${issue?.path.join(".") || "query"}: ${issue?.message ?? "invalid"}`,
      );
    }
    return Response.json(await queryAudit(ctx.pool, parsed.data), {
      headers: { "cache-control": "no-store" },
    });
  });
}
