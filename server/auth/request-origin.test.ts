import { describe, expect, it } from "vitest";
import { checkSameOrigin, isJsonContentType, type OriginEvidence } from "./request-origin";

const from = (
  origin: string | null,
  host: string | null,
  fetchSite: string | null = null,
): OriginEvidence => ({
  origin,
  host,
  fetchSite,
});

describe("checkSameOrigin without NOWCAST_PUBLIC_URL (the request's own host)", () => {
  it.each([
    ["same host and port", from("http://localhost:3000", "localhost:3000")],
    ["default port written out", from("http://example.com", "example.com:80")],
    ["https default port", from("https://example.com", "EXAMPLE.com:443")],
    ["Sec-Fetch-Site same-origin without Origin", from(null, "localhost:3000", "same-origin")],
  ])("allows %s", (_, evidence) => {
    expect(checkSameOrigin(evidence, undefined, "require")).toEqual({ ok: true });
  });

  it.each([
    ["another port of the same host (same site)", from("http://localhost:8080", "localhost:3000")],
    ["a sibling subdomain", from("https://evil.example.com", "nowcast.example.com")],
    ["a parent domain", from("https://example.com", "nowcast.example.com")],
    ["Origin null (sandboxed frame, data: URL)", from("null", "localhost:3000")],
    ["a non-http origin", from("file://", "localhost:3000")],
    ["garbage", from("http://", "localhost:3000")],
    ["no Host to compare with", from("http://localhost:3000", null)],
    ["Sec-Fetch-Site same-site", from("http://localhost:3000", "localhost:3000", "same-site")],
    ["Sec-Fetch-Site cross-site", from(null, "localhost:3000", "cross-site")],
    ["Sec-Fetch-Site none", from(null, "localhost:3000", "none")],
    ["neither header (writes require one)", from(null, "localhost:3000")],
  ])("refuses %s", (_, evidence) => {
    const verdict = checkSameOrigin(evidence, undefined, "require");
    expect(verdict.ok).toBe(false);
    if (!verdict.ok) expect(verdict.reason.length).toBeGreaterThan(10);
  });

  it("allows neither header only where asked to (a same-origin polling GET sends none)", () => {
    expect(checkSameOrigin(from(null, "localhost:3000"), undefined, "allow")).toEqual({ ok: true });
    expect(checkSameOrigin(from("http://evil:3000", "localhost:3000"), undefined, "allow").ok).toBe(false);
  });
});

describe("checkSameOrigin with NOWCAST_PUBLIC_URL", () => {
  const publicUrl = "https://nowcast.example.com/";
  it("allows exactly the public origin, whatever Host a proxy forwarded", () => {
    expect(
      checkSameOrigin(from("https://nowcast.example.com", "127.0.0.1:3000"), publicUrl, "require"),
    ).toEqual({
      ok: true,
    });
  });
  it.each([
    ["http instead of https", from("http://nowcast.example.com", "nowcast.example.com")],
    ["a host that merely matches the Host header", from("https://evil.example.com", "evil.example.com")],
    ["another port", from("https://nowcast.example.com:8443", "nowcast.example.com:8443")],
  ])("refuses %s", (_, evidence) => {
    expect(checkSameOrigin(evidence, publicUrl, "require").ok).toBe(false);
  });
});

describe("isJsonContentType", () => {
  it.each([
    ["application/json", true],
    ["application/json; charset=utf-8", true],
    ["Application/JSON", true],
    ["text/plain", false],
    ["application/x-www-form-urlencoded", false],
    ["multipart/form-data; boundary=x", false],
    ["application/jsonp", false],
    ["text/plain; application/json", false],
    [null, false],
  ])("%j → %s", (type, expected) => {
    expect(isJsonContentType(type)).toBe(expected);
  });
});
