import { checkSameOrigin, isJsonContentType, STATE_CHANGING_METHODS } from "../auth/request-origin";
import { apiError } from "./http";

/**
 * The forgery check of every state-changing request (POST/PUT/PATCH/DELETE), run by
 * `authorize()` — so by every route handler — and by the better-auth route: `403
 * forbidden_origin` unless the request comes from this app's own origin, `415` unless the body
 * is declared `application/json` (a cross-origin page can only send `text/plain`, form or
 * multipart bodies without a CORS preflight, which Nowcast never grants).
 *
 * Requests with an `Authorization` header skip the origin part: a bearer API key is no ambient
 * credential (a browser never adds it by itself), and such requests are identified by the key
 * alone, never by cookies they may also carry.
 */
export function refuseForgedWrite(request: Request, publicUrl: string | undefined): Response | null {
  if (!STATE_CHANGING_METHODS.has(request.method)) return null;
  if (!request.headers.has("authorization")) {
    const verdict = checkSameOrigin(
      {
        origin: request.headers.get("origin"),
        fetchSite: request.headers.get("sec-fetch-site"),
        host: request.headers.get("host") ?? hostOf(request.url),
      },
      publicUrl,
      "require",
    );
    if (!verdict.ok)
      return apiError(403, "forbidden_origin", `refused as a cross-site request: ${verdict.reason}`);
  }
  if (!isJsonContentType(request.headers.get("content-type")))
    return apiError(415, "unsupported_media_type", `${request.method} requests must send application/json`);
  return null;
}

function hostOf(url: string): string | null {
  try {
    return new URL(url).host || null;
  } catch {
    return null;
  }
}
