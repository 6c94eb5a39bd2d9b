import { AdminTargetPath, UpdateUserRequest } from "../../../../../server/contract";
import { updateUser } from "../../../../../server/auth/users";
import { adminRoute, parseBody } from "../../../../../server/web/admin-route";
import { parsePathParams } from "../../../../../server/web/params";

export const dynamic = "force-dynamic";

/** PATCH /api/admin/users/{id} — change role and/or disable/enable (disabling signs the user out at once). */
export function PATCH(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  return adminRoute(request, async (ctx) => {
    const body = await parseBody(request, UpdateUserRequest);
    if (!body.ok) return body.response;
    const path = await parsePathParams(AdminTargetPath, params);
    if (!path.ok) return path.response;
    const { id } = path.data;
    return Response.json({ user: await updateUser(ctx, id, body.value) });
  });
}
