import { authorize } from "../../../server/web/guard";
import { handleMe } from "../../../server/web/me-routes";

export const dynamic = "force-dynamic";

/** GET /api/me — the signed-in user (any role). */
export async function GET(request: Request): Promise<Response> {
  const access = await authorize(request, { role: "viewer" });
  if (!access.ok) return access.response;
  return handleMe(access.principal);
}
