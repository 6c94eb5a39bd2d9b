import { CreateUserRequest } from "../../../../server/contract";
import { createUser, listUsers } from "../../../../server/auth/users";
import { adminRoute, parseBody } from "../../../../server/web/admin-route";

export const dynamic = "force-dynamic";

/** GET /api/admin/users — every user with role, state and last activity. */
export function GET(request: Request): Promise<Response> {
  return adminRoute(request, async (ctx) =>
    Response.json({ users: await listUsers(ctx.pool) }, { headers: { "cache-control": "no-store" } }),
  );
}

/** POST /api/admin/users — creates a user; the password (given or generated) is in this answer only. */
export function POST(request: Request): Promise<Response> {
  return adminRoute(request, async (ctx) => {
    const body = await parseBody(request, CreateUserRequest);
    if (!body.ok) return body.response;
    return Response.json(await createUser(ctx, body.value), {
      status: 201,
      headers: { "cache-control": "no-store" },
    });
  });
}
