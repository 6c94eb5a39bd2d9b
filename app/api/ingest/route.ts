import { authorize } from "../../../server/web/guard";
import { handleIngest } from "../../../server/web/ingest-routes";

export const dynamic = "force-dynamic";

/**
 * POST /api/ingest — one event or an array of up to 1000 (1 MiB, gzip/deflate/br allowed);
 * answers per event. Needs an `ingest` API key. 503 only when JetStream cannot take the events
 * or the evidence of rejected ones.
 */
export async function POST(request: Request): Promise<Response> {
  const access = await authorize(request, { apiKey: "ingest" });
  if (!access.ok) return access.response;
  return handleIngest(request);
}
