import type { HealthResponse } from "../../../server/contract";
import { checkHealth } from "../../../server/web/pipeline-health";
import { getWebServices } from "../../../server/web/services";

export const dynamic = "force-dynamic";

const answer = (body: HealthResponse) =>
  Response.json(body, { status: body.status === "ok" ? 200 : 503, headers: { "cache-control": "no-store" } });

/**
 * GET /api/health — the pipeline as this web instance sees it: 200 when Postgres answers, the
 * NATS connection is up and the processor makes progress; 503 `degraded` otherwise, with the
 * failing check named (server/web/pipeline-health.ts).
 */
export async function GET(): Promise<Response> {
  let services;
  try {
    services = await getWebServices();
  } catch {
    // The web's services start by connecting to NATS (and setting up the stream).
    return answer({
      status: "degraded",
      checks: {
        nats: { ok: false, detail: "not connected" },
        postgres: { ok: false, detail: "not checked" },
      },
    });
  }
  return answer(
    await checkHealth({
      pool: services.db.pool,
      jsm: services.jsm,
      natsStatus: services.natsStatus,
      namespace: services.config.NOWCAST_NAMESPACE,
      stallAfterMs: services.config.NOWCAST_STALL_AFTER_MS,
      now: Date.now,
    }),
  );
}
