import { z } from "zod";
import { describe, expect, it } from "vitest";
import {
  malformedPathAnswer,
  malformedPathSegment,
  parsePathParams,
  parseQuery,
  queryValues,
} from "./params";

const url = (query: string) => new URL(`http://t/x?${query}`);

describe("queryValues", () => {
  it("decodes values, + as space, = inside a value, and skips empty pairs", () => {
    expect(queryValues(url("a=1&&b=x+y&c=k%3Dv=w&d="))).toEqual({
      ok: true,
      values: { a: "1", b: "x y", c: "k=v=w", d: "" },
    });
  });

  it.each([
    ["a=%ZZ", "a", "percent-encoding"],
    ["%ZZ=1", "%ZZ", "percent-encoding"],
    ["a=%ED%A0%80", "a", "percent-encoding"],
    ["a=%C3", "a", "percent-encoding"],
    ["tz=UTC%00", "tz", "NUL"],
    ["a=1&a=2", "a", "more than once"],
  ])("refuses %s, naming %s", (query, param, message) => {
    const read = queryValues(url(query));
    expect(read).toMatchObject({ ok: false, issue: { param } });
    if (!read.ok) expect(read.issue.message).toContain(message);
  });
});

describe("parseQuery and parsePathParams", () => {
  it("answers 400 invalid_parameter naming the parameter", async () => {
    const query = parseQuery(z.strictObject({ limit: z.coerce.number().max(5) }), url("limit=9"));
    expect(query.ok).toBe(false);
    if (!query.ok) {
      expect(query.response.status).toBe(400);
      expect(await query.response.json()).toMatchObject({
        error: {
          code: "invalid_parameter",
          message: expect.stringMatching(/^limit: /),
          details: { param: "limit", issues: [{ param: "limit", message: expect.any(String) }] },
        },
      });
    }
    const path = await parsePathParams(z.object({ id: z.string() }), Promise.resolve({ id: "\ud800" }));
    expect(path.ok).toBe(false);
    if (!path.ok) expect((await path.response.json()).error.details.param).toBe("id");
  });
});

describe("malformedPathSegment", () => {
  it.each([
    ["/api/metrics/%ZZ/series?from=1", "%ZZ"],
    ["/api/metrics/%ED%A0%80/series", "%ED%A0%80"],
    ["/api/admin/users/abc%C3", "abc%C3"],
    // The query string is each route's to read (parseQuery names the parameter).
    ["/api/metrics/api_latency/series?from=%ZZ", undefined],
    ["/api/metrics/%C3%BC/series", undefined],
    ["/live", undefined],
  ])("%s → %s", (url, segment) => {
    expect(malformedPathSegment(url)).toBe(segment);
  });
});

describe("malformedPathAnswer", () => {
  it("is the same invalid_parameter shape as every bad query parameter", () => {
    const answer = malformedPathAnswer("%ZZ");
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toEqual({
      error: {
        code: "invalid_parameter",
        message: 'path: "%ZZ" is not valid percent-encoding (UTF-8 after %XX)',
        details: {
          param: "path",
          issues: [{ param: "path", message: '"%ZZ" is not valid percent-encoding (UTF-8 after %XX)' }],
        },
      },
    });
  });
});
