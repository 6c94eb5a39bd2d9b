import type { Me } from "../../../server/contract";
import { authorize } from "../../../server/web/guard";
import { getWebServices } from "../../../server/web/services";

export const dynamic = "force-dynamic";

/** GET /api/me — the signed-in user (any role). */
export async function GET(request: Request): Promise<Response> {
  const access = await authorize(request, { role: "viewer" });
  if (!access.ok) return access.response;
  const { db } = await getWebServices();
  const { rows } = await db.pool.query<Me>(`SELECT id, name, email, role FROM users WHERE id = $1`, [
    access.principal.id,
  ]);
  return Response.json(rows[0], { headers: { "cache-control": "no-store" } });
}
