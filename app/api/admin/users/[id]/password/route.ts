import { AdminTargetPath, ResetPasswordRequest } from "../../../../../../server/contract";
import { resetPassword } from "../../../../../../server/auth/users";
import { adminRoute, parseBody } from "../../../../../../server/web/admin-route";
import { parsePathParams } from "../../../../../../server/web/params";

export const dynamic = "force-dynamic";

/** POST /api/admin/users/{id}/password — new password (given or generated, shown once); revokes sessions. */
export function POST(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  return adminRoute(request, async (ctx) => {
    const body = await parseBody(request, ResetPasswordRequest);
    if (!body.ok) return body.response;
    const path = await parsePathParams(AdminTargetPath, params);
    if (!path.ok) return path.response;
    const { id } = path.data;
    return Response.json(await resetPassword(ctx, id, body.value.password), {
      headers: { "cache-control": "no-store" },
    });
  });
}
