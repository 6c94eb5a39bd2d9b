import type { HealthResponse } from "../../../server/contract";
import { getWebServices } from "../../../server/web/services";

export const dynamic = "force-dynamic";

/** GET /api/health — 200 when Postgres and NATS answer, 503 otherwise. */
export async function GET(): Promise<Response> {
  const checks: HealthResponse["checks"] = {};
  try {
    const { db, nc } = await getWebServices();
    await db.pool.query("SELECT 1");
    checks.postgres = { ok: true };
    checks.nats = nc.isClosed() ? { ok: false, detail: "connection closed" } : { ok: true };
  } catch {
    checks.postgres ??= { ok: false, detail: "not reachable" };
    checks.nats ??= { ok: false, detail: "not checked" };
  }
  const ok = Object.values(checks).every((check) => check.ok);
  const body: HealthResponse = { status: ok ? "ok" : "degraded", checks };
  return Response.json(body, { status: ok ? 200 : 503, headers: { "cache-control": "no-store" } });
}
