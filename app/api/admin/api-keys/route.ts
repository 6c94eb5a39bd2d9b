import { CreateApiKeyRequest } from "../../../../server/contract";
import { createKey } from "../../../../server/auth/api-key-admin";
import { listApiKeys } from "../../../../server/auth/api-keys";
import { adminRoute, parseBody } from "../../../../server/web/admin-route";

export const dynamic = "force-dynamic";

/** GET /api/admin/api-keys — every key (never the secret). */
export function GET(request: Request): Promise<Response> {
  return adminRoute(request, async (ctx) =>
    Response.json({ apiKeys: await listApiKeys(ctx.prisma) }, { headers: { "cache-control": "no-store" } }),
  );
}

/** POST /api/admin/api-keys — creates a key; its secret is in this answer only. */
export function POST(request: Request): Promise<Response> {
  return adminRoute(request, async (ctx) => {
    const body = await parseBody(request, CreateApiKeyRequest);
    if (!body.ok) return body.response;
    return Response.json(await createKey(ctx, body.value), {
      status: 201,
      headers: { "cache-control": "no-store" },
    });
  });
}
