import { gzipSync, brotliCompressSync, deflateRawSync, deflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { checkJsonContentType, readRequestBody } from "./request-body";

const LIMIT = 1024 * 1024;
const json = Buffer.from('[{"id":"a"}]');
const request = (body: Uint8Array | string, encoding?: string) =>
  new Request("http://t/api/ingest", {
    method: "POST",
    body: typeof body === "string" ? body : Buffer.from(body),
    headers: encoding ? { "content-encoding": encoding } : {},
  });

describe("checkJsonContentType", () => {
  it.each([
    ["application/json"],
    ["Application/JSON"],
    ["application/json; charset=utf-8"],
    ['application/json;charset="UTF-8"'],
    ["application/json; charset=utf8; boundary=x"],
  ])("accepts %s", (header) => {
    expect(checkJsonContentType(header)).toBeUndefined();
  });

  it.each([
    [null, 415, "unsupported_media_type"],
    ["text/plain", 415, "unsupported_media_type"],
    ["application/json-patch+json", 415, "unsupported_media_type"],
    ["application/jsonx", 415, "unsupported_media_type"],
    ["application/json; charset=iso-8859-1", 415, "unsupported_charset"],
    ["application/json; charset=utf-16", 415, "unsupported_charset"],
  ])("refuses %s", (header, status, code) => {
    expect(checkJsonContentType(header)).toMatchObject({ status, code });
  });
});

describe("readRequestBody", () => {
  it.each([
    ["identity", json, undefined],
    ["gzip", gzipSync(json), "gzip"],
    ["x-gzip", gzipSync(json), "x-gzip"],
    ["deflate (zlib)", deflateSync(json), "deflate"],
    ["deflate (raw)", deflateRawSync(json), "deflate"],
    ["br", brotliCompressSync(json), "br"],
    ["upper case", gzipSync(json), "GZIP"],
  ])("decodes %s", async (_name, body, encoding) => {
    expect(Buffer.from(await readRequestBody(request(body, encoding), LIMIT)).equals(json)).toBe(true);
  });

  it("stops a zip bomb at the limit of the decompressed body (413)", async () => {
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20)); // ~64 KiB compressed
    expect(bomb.byteLength).toBeLessThan(LIMIT);
    await expect(readRequestBody(request(bomb, "gzip"), LIMIT)).rejects.toMatchObject({
      status: 413,
      code: "body_too_large",
      message: expect.stringContaining("decompressed"),
    });
  });

  it.each([
    ["a plain body labelled gzip", json, "gzip", 400, "invalid_content_encoding"],
    ["a truncated gzip body", gzipSync(json).subarray(0, 12), "gzip", 400, "invalid_content_encoding"],
    ["an unknown coding", json, "compress", 415, "unsupported_encoding"],
    ["two codings", gzipSync(gzipSync(json)), "gzip, gzip", 415, "unsupported_encoding"],
  ])("answers %s with %i", async (_name, body, encoding, status, code) => {
    await expect(readRequestBody(request(body, encoding), LIMIT)).rejects.toMatchObject({ status, code });
  });

  it("refuses a body over the limit as sent", async () => {
    await expect(readRequestBody(request("x".repeat(LIMIT + 1)), LIMIT)).rejects.toMatchObject({
      status: 413,
    });
  });
});
