import { authorize } from "../../../server/web/guard";
import { INGEST_LIMITS } from "../../../server/contract";
import { ingest, IngestRequestError } from "../../../server/ingest/ingest";
import { errorFields } from "../../../server/log";
import { apiError } from "../../../server/web/http";
import { ingestContext, ingestPorts } from "../../../server/web/ingest-ports";
import { checkJsonContentType, readRequestBody, RequestBodyError } from "../../../server/web/request-body";
import { getWebServices } from "../../../server/web/services";

export const dynamic = "force-dynamic";

const unavailable = () =>
  apiError(503, "unavailable", "the event stream is unavailable; retry later (ids make retries safe)");

/**
 * POST /api/ingest — one event or an array of up to 1000 (1 MiB, gzip/deflate/br allowed);
 * answers per event. Needs an `ingest` API key. 503 only when JetStream cannot take the events
 * or the evidence of rejected ones.
 */
export async function POST(request: Request): Promise<Response> {
  const access = await authorize(request, { apiKey: "ingest" });
  if (!access.ok) return access.response;
  const badType = checkJsonContentType(request.headers.get("content-type"));
  if (badType) return apiError(badType.status, badType.code, badType.message);
  let body: Uint8Array;
  try {
    body = await readRequestBody(request, INGEST_LIMITS.maxBodyBytes);
  } catch (error) {
    if (error instanceof RequestBodyError) return apiError(error.status, error.code, error.message);
    throw error;
  }
  let services;
  try {
    services = await getWebServices();
  } catch {
    return unavailable();
  }
  try {
    const now = Date.now();
    const answer = await ingest(ingestPorts(services), body, ingestContext(services, now));
    return Response.json(answer, { status: 202 });
  } catch (error) {
    if (error instanceof IngestRequestError) {
      return apiError(error.code === "too_many_events" ? 413 : 400, error.code, error.message);
    }
    services.log.error("ingest failed", errorFields(error));
    return unavailable();
  }
}
