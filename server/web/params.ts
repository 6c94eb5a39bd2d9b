import type { z } from "zod";
import { describeProblem, printable, unstorable, type ParameterIssue } from "../contract";
import { invalidParameter, invalidParameterBody } from "./http";

/**
 * The one place route handlers read path parameters and query strings. Whatever a URL holds —
 * malformed percent-encoding (`%ZZ`), an encoded NUL (`%00`) or lone surrogate, a parameter
 * given twice, a value the schema refuses — the answer is `400 invalid_parameter` whose message
 * starts with the parameter's name and whose `details.param` names it; never a 500 from deeper
 * down (Postgres refuses NUL, `Date` throws on huge epochs).
 */

export type Parsed<T> = { ok: true; data: T } | { ok: false; response: Response };

type Issue = ParameterIssue;

function refuse(issues: Issue[]): { ok: false; response: Response } {
  return { ok: false, response: invalidParameter(issues) };
}

function decodeComponent(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw.replace(/\+/g, " "));
  } catch {
    return undefined;
  }
}

/** A text problem of one value: NUL or a lone surrogate cannot reach Postgres. */
function valueIssue(param: string, value: string): Issue | undefined {
  const problem = unstorable(value);
  return problem ? { param, message: describeProblem("the value", problem) } : undefined;
}

/** The query string as name → value, or the first parameter that cannot be read. */
export function queryValues(
  url: URL,
): { ok: true; values: Record<string, string> } | { ok: false; issue: Issue } {
  const values: Record<string, string> = {};
  for (const pair of url.search.replace(/^\?/, "").split("&")) {
    if (pair === "") continue;
    const [rawName = "", ...rest] = pair.split("=");
    const name = decodeComponent(rawName);
    const value = decodeComponent(rest.join("="));
    const param = printable(name ?? rawName, 64);
    if (name === undefined || value === undefined)
      return { ok: false, issue: { param, message: "is not valid percent-encoding (UTF-8 after %XX)" } };
    const issue = valueIssue(param, name) ?? valueIssue(param, value);
    if (issue) return { ok: false, issue };
    if (Object.hasOwn(values, name))
      return { ok: false, issue: { param, message: "is given more than once" } };
    values[name] = value;
  }
  return { ok: true, values };
}

function schemaIssues(error: z.ZodError, fallback: string): Issue[] {
  return error.issues.map((issue) => {
    const keys = issue.code === "unrecognized_keys" ? issue.keys : [];
    const param = printable(keys.length > 0 ? keys.join(", ") : String(issue.path[0] ?? fallback), 64);
    return { param, message: keys.length > 0 ? "is not a parameter of this endpoint" : issue.message };
  });
}

/** Parses the query string with `schema`; a failure is a 400 naming the first bad parameter. */
export function parseQuery<T>(schema: z.ZodType<T>, url: URL): Parsed<T> {
  const read = queryValues(url);
  if (!read.ok) return refuse([read.issue]);
  const result = schema.safeParse(read.values);
  return result.success ? { ok: true, data: result.data } : refuse(schemaIssues(result.error, "query"));
}

/** Parses a route's path parameters (as Next decoded them) with `schema`, the same way. */
export async function parsePathParams<T>(
  schema: z.ZodType<T>,
  params: Promise<Record<string, string | string[]>>,
): Promise<Parsed<T>> {
  const values = await params;
  for (const [name, value] of Object.entries(values)) {
    for (const part of Array.isArray(value) ? value : [value]) {
      const issue = valueIssue(name, part);
      if (issue) return refuse([issue]);
    }
  }
  const result = schema.safeParse(values);
  return result.success ? { ok: true, data: result.data } : refuse(schemaIssues(result.error, "path"));
}

/**
 * The request path's first segment that is not valid percent-encoding (`%ZZ`, an encoded lone
 * surrogate), or undefined. Next's router throws on such a segment and answers 500, before any
 * handler could say which parameter is wrong, so the custom server checks every request first.
 */
export function malformedPathSegment(rawUrl: string): string | undefined {
  const path = rawUrl.split(/[?#]/, 1)[0] ?? "";
  return path.split("/").find((segment) => segment.includes("%") && decodeComponent(segment) === undefined);
}

/** The 400 for a request whose path cannot be decoded (server/web/main.ts). */
export function malformedPathAnswer(segment: string): { status: 400; body: string } {
  const message = `"${printable(segment, 64)}" is not valid percent-encoding (UTF-8 after %XX)`;
  return { status: 400, body: JSON.stringify(invalidParameterBody([{ param: "path", message }])) };
}
