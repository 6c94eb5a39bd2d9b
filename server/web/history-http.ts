import { createHash } from "node:crypto";
import type { z } from "zod";
import { HistoryError } from "../history/history";
import { apiError } from "./http";
import type { Logger } from "../log";
import { errorFields } from "../log";

/**
 * HTTP side of the history API: query parsing with errors that name the parameter, the one
 * mapping of HistoryError to status codes, and cacheable answers (ETag) for final ranges.
 */

export type Parsed<T> = { ok: true; data: T } | { ok: false; response: Response };

/** Parses the query string with `schema`; a failure is a 400 naming the first bad parameter. */
export function parseQuery<T>(schema: z.ZodType<T>, url: URL): Parsed<T> {
  const raw = Object.fromEntries(url.searchParams);
  const result = schema.safeParse(raw);
  if (result.success) return { ok: true, data: result.data };
  const issues = result.error.issues.map((issue) => {
    const keys = issue.code === "unrecognized_keys" ? issue.keys : [];
    const param = keys.length > 0 ? keys.join(", ") : String(issue.path[0] ?? "query");
    const message = keys.length > 0 ? "is not a parameter of this endpoint" : issue.message;
    return { param, message };
  });
  const first = issues[0] ?? { param: "query", message: "is invalid" };
  return {
    ok: false,
    response: apiError(400, "invalid_parameter", `${first.param}: ${first.message}`, {
      param: first.param,
      issues,
    }),
  };
}

/** Maps a verb's failure to the API error shape; unexpected errors are logged, never leaked. */
export function historyErrorResponse(error: unknown, log: Logger): Response {
  if (error instanceof HistoryError) {
    if (error.code === "unknown_metric") return apiError(404, error.code, error.message);
    return apiError(400, error.code, error.message, { param: error.param });
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
