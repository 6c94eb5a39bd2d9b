import { AlertSilenceSpec } from "../../../../../server/contract";
import { createSilence, listSilences } from "../../../../../server/alerts/channels-admin";
import { parseBody } from "../../../../../server/web/admin-route";
import { alertAdminRoute, noStore } from "../../../../../server/web/alerts-route";

export const dynamic = "force-dynamic";

/** GET /api/admin/alerts/silences — silences and recurring mute windows. */
export function GET(request: Request): Promise<Response> {
  return alertAdminRoute(request, async (ctx) =>
    Response.json({ silences: await listSilences(ctx.prisma) }, noStore),
  );
}

/** POST /api/admin/alerts/silences — until a time, or recurring in an IANA zone. */
export function POST(request: Request): Promise<Response> {
  return alertAdminRoute(request, async (ctx) => {
    const body = await parseBody(request, AlertSilenceSpec);
    if (!body.ok) return body.response;
    return Response.json({ silence: await createSilence(ctx, body.value) }, { status: 201, ...noStore });
  });
}
