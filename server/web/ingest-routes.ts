import { INGEST_LIMITS } from "../contract";
import { ingest, IngestRequestError } from "../ingest/ingest";
import { errorFields } from "../log";
import { apiError } from "./http";
import { ingestContext, ingestPorts } from "./ingest-ports";
import { checkJsonContentType, readRequestBody, RequestBodyError } from "./request-body";
import { getWebServices } from "./services";

const unavailable = () =>
  apiError(503, "unavailable", "the event stream is unavailable; retry later (ids make retries safe)");

/** POST /api/ingest, after the route authorized the caller (an `ingest` API key). */
export async function handleIngest(request: Request): Promise<Response> {
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
