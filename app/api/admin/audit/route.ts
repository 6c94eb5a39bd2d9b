import { AuditQuery } from "../../../../server/contract";
import { queryAudit } from "../../../../server/auth/audit";
import { adminRoute } from "../../../../server/web/admin-route";
import { parseQuery } from "../../../../server/web/params";

export const dynamic = "force-dynamic";

/** GET /api/admin/audit?actor&action&target&from&to&before&limit — admin changes, newest first. */
export function GET(request: Request): Promise<Response> {
  return adminRoute(request, async (ctx) => {
    const parsed = parseQuery(AuditQuery, new URL(request.url));
    if (!parsed.ok) return parsed.response;
    return Response.json(await queryAudit(ctx.prisma, parsed.data), {
      headers: { "cache-control": "no-store" },
    });
  });
}
