import { createHash } from "node:crypto";
import { HistoryError } from "../history/history";
import { apiError, invalidParameter } from "./http";
import type { Logger } from "../log";
import { errorFields } from "../log";

/**
 * HTTP side of the history API: the one mapping of HistoryError to status codes, and cacheable
 * answers (ETag) for final ranges. Parameters are read by server/web/params.ts.
 */

/** Maps a verb's failure to the API error shape; unexpected errors are logged, never leaked. */
export function historyErrorResponse(error: unknown, log: Logger): Response {
  if (error instanceof HistoryError) {
    if (error.code === "unknown_metric") return apiError(404, error.code, error.message);
    return invalidParameter([{ param: error.param, message: error.detail }]);
  }
  log.error("history query failed", errorFields(error));
  return apiError(500, "internal", "the history query failed; see the server log");
}

/**
 * JSON or CSV with an ETag. A range that is entirely final may be cached (private: answers
 * depend on the caller's rights) and revalidated with If-None-Match → 304; a range with open
 * buckets changes every few seconds and is never stored.
 */
export function cacheableResponse(
  request: Request,
  body: string,
  contentType: string,
  complete: boolean,
  filename?: string,
): Response {
  const etag = `"${createHash("sha256").update(body).digest("base64url").slice(0, 32)}"`;
  const headers = new Headers({
    "content-type": contentType,
    etag,
    "cache-control": complete ? "private, max-age=60, must-revalidate" : "no-store",
    vary: "authorization, cookie",
  });
  if (filename) headers.set("content-disposition", `attachment; filename="${filename}"`);
  if (complete && matchesEtag(request.headers.get("if-none-match"), etag)) {
    return new Response(null, { status: 304, headers });
  }
  return new Response(body, { status: 200, headers });
}

function matchesEtag(header: string | null, etag: string): boolean {
  if (!header) return false;
  return header.split(",").some((candidate) => {
    const tag = candidate.trim().replace(/^W\//, "");
    return tag === etag || tag === "*";
  });
}
