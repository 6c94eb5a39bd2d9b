import { AlertChannelSpec } from "../../../../../server/contract";
import { createChannel, listChannels } from "../../../../../server/alerts/channels-admin";
import { parseBody } from "../../../../../server/web/admin-route";
import { alertAdminRoute, noStore } from "../../../../../server/web/alerts-route";

export const dynamic = "force-dynamic";

/** GET /api/admin/alerts/channels — webhook channels (never their secrets). */
export function GET(request: Request): Promise<Response> {
  return alertAdminRoute(request, async (ctx) =>
    Response.json({ channels: await listChannels(ctx.prisma) }, noStore),
  );
}

/** POST /api/admin/alerts/channels — a webhook channel: name, http(s) URL, signing secret. */
export function POST(request: Request): Promise<Response> {
  return alertAdminRoute(request, async (ctx) => {
    const body = await parseBody(request, AlertChannelSpec);
    if (!body.ok) return body.response;
    return Response.json({ channel: await createChannel(ctx, body.value) }, { status: 201, ...noStore });
  });
}
