import { authorize } from "../../../server/auth/guard";
import { INGEST_LIMITS } from "../../../server/contract";
import { insertDeadLetters } from "../../../server/db/event-store";
import { ingest, IngestRequestError, type IngestPorts } from "../../../server/ingest/ingest";
import { errorFields } from "../../../server/log";
import { eventSubject } from "../../../server/nats/streams";
import { apiError, BodyTooLargeError, readBodyText } from "../../../server/web/http";
import { getWebServices } from "../../../server/web/services";

export const dynamic = "force-dynamic";

/** POST /api/ingest — one event or an array of up to 1000 (1 MiB); answers per event. Needs an `ingest` API key. */
export async function POST(request: Request): Promise<Response> {
  const access = await authorize(request, { apiKey: "ingest" });
  if (!access.ok) return access.response;
  const contentType = request.headers.get("content-type") ?? "";
  if (!/^application\/json\b/i.test(contentType)) {
    return apiError(415, "unsupported_media_type", "send the events as application/json");
  }
  let text: string;
  try {
    text = await readBodyText(request, INGEST_LIMITS.maxBodyBytes);
  } catch (error) {
    if (error instanceof BodyTooLargeError)
      return apiError(413, "body_too_large", "the body is over 1 MiB (1048576 bytes)");
    throw error;
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    return apiError(400, "invalid_json", `the body is not valid JSON: ${(error as Error).message}`);
  }

  let services;
  try {
    services = await getWebServices();
  } catch {
    return apiError(
      503,
      "unavailable",
      "the event stream is unavailable; retry later (ids make retries safe)",
    );
  }
  const { js, db, config, log } = services;
  const ports: IngestPorts = {
    async publish(type, id, payload) {
      const ack = await js.publish(eventSubject(config.NOWCAST_NAMESPACE, type), payload, { msgID: id });
      return { duplicate: ack.duplicate };
    },
    storeRejections: (letters) =>
      insertDeadLetters(db.pool, letters).catch((error: unknown) =>
        log.error("could not store rejected events", { count: letters.length, ...errorFields(error) }),
      ),
  };
  try {
    const answer = await ingest(ports, body, Date.now());
    return Response.json(answer, { status: 202 });
  } catch (error) {
    if (error instanceof IngestRequestError) {
      return apiError(error.code === "too_many_events" ? 413 : 400, error.code, error.message);
    }
    log.error("ingest failed", errorFields(error));
    return apiError(
      503,
      "unavailable",
      "the event stream is unavailable; retry later (ids make retries safe)",
    );
  }
}
