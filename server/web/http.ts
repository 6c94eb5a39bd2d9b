import type { ApiError, InvalidParameterDetails, ParameterIssue } from "../contract";

/** Response options of an answer no cache may keep (per-user data, changes, errors). */
export const noStore = { headers: { "cache-control": "no-store" } } as const;

/** The one error shape of every API response; internals never leak into `message`. */
export function apiError(status: number, code: string, message: string, details?: unknown): Response {
  const body: ApiError = { error: { code, message, ...(details === undefined ? {} : { details }) } };
  return Response.json(body, { status, ...noStore });
}

/** The body of the one answer to a bad query or path parameter (details: InvalidParameterDetails). */
export function invalidParameterBody(issues: readonly ParameterIssue[]): ApiError {
  const first = issues[0] ?? { param: "query", message: "is invalid" };
  const details: InvalidParameterDetails = { param: first.param, issues: [...issues] };
  return { error: { code: "invalid_parameter", message: `${first.param}: ${first.message}`, details } };
}

/** `400 invalid_parameter` naming the parameters at fault. */
export function invalidParameter(issues: readonly ParameterIssue[]): Response {
  return Response.json(invalidParameterBody(issues), { status: 400, ...noStore });
}

export class BodyTooLargeError extends Error {
  override name = "BodyTooLargeError";
}

/** Reads a request body as text, refusing more than `limit` bytes without buffering them all. */
export async function readBodyText(request: Request, limit: number): Promise<string> {
  const declared = Number(request.headers.get("content-length") ?? "NaN");
  if (Number.isFinite(declared) && declared > limit) throw new BodyTooLargeError(`body is ${declared} bytes`);
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw new BodyTooLargeError(`body exceeds ${limit} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}
