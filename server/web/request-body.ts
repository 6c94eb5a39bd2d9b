import { promisify } from "node:util";
import zlib from "node:zlib";

/** Why a request body cannot be read: the status and code of its API error. */
export class RequestBodyError extends Error {
  override name = "RequestBodyError";
  constructor(
    readonly status: 400 | 413 | 415,
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * A `Content-Type` of JSON in UTF-8: `application/json`, optionally with `charset=utf-8`
 * (any case, quoted or not). RFC 8259 makes UTF-8 the only encoding of JSON between systems.
 */
export function checkJsonContentType(header: string | null): RequestBodyError | undefined {
  const [type = "", ...params] = (header ?? "").split(";");
  const media = type.trim().toLowerCase();
  if (media !== "application/json") {
    const got = media === "" ? "no content type" : `"${media.slice(0, 80)}"`;
    return new RequestBodyError(
      415,
      "unsupported_media_type",
      `send the events as application/json (got ${got})`,
    );
  }
  for (const param of params) {
    const [name = "", value = ""] = param.split("=").map((s) => s.trim());
    if (name.toLowerCase() !== "charset") continue;
    const charset = value.replace(/^"(.*)"$/, "$1").toLowerCase();
    if (charset !== "utf-8" && charset !== "utf8")
      return new RequestBodyError(
        415,
        "unsupported_charset",
        `JSON is read as UTF-8 only (got charset=${charset.slice(0, 40)})`,
      );
  }
  return undefined;
}

type Decoder = (input: Buffer, options: zlib.ZlibOptions & zlib.BrotliOptions) => Promise<Buffer>;
const gunzip = promisify(zlib.gunzip) as Decoder;
const inflate = promisify(zlib.inflate) as Decoder;
const inflateRaw = promisify(zlib.inflateRaw) as Decoder;
const brotli = promisify(zlib.brotliDecompress) as Decoder;

// HTTP's "deflate" is the zlib format; some clients send raw deflate, which is accepted too.
const inflateEither: Decoder = (input, options) =>
  inflate(input, options).catch((error: unknown) =>
    (error as { code?: string }).code === "Z_DATA_ERROR" ? inflateRaw(input, options) : Promise.reject(error),
  );

const DECODERS: Record<string, Decoder> = {
  gzip: gunzip,
  "x-gzip": gunzip,
  deflate: inflateEither,
  br: brotli,
};

/** The body's one content coding (`identity` when none), or a 415 for others and for several. */
function codingOf(header: string | null): string | RequestBodyError {
  const codings = (header ?? "")
    .split(",")
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== "" && c !== "identity");
  if (codings.length > 1)
    return new RequestBodyError(
      415,
      "unsupported_encoding",
      "send the body with one Content-Encoding at most",
    );
  const coding = codings[0] ?? "identity";
  if (coding !== "identity" && !(coding in DECODERS))
    return new RequestBodyError(
      415,
      "unsupported_encoding",
      `Content-Encoding "${coding.slice(0, 40)}" is not supported; use gzip, deflate or br`,
    );
  return coding;
}

async function readLimited(request: Request, limit: number): Promise<Buffer> {
  const tooLarge = () =>
    new RequestBodyError(413, "body_too_large", `the body is over 1 MiB (${limit} bytes)`);
  const declared = Number(request.headers.get("content-length") ?? "NaN");
  if (Number.isFinite(declared) && declared > limit) throw tooLarge();
  if (!request.body) return Buffer.alloc(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/**
 * Reads a request body as bytes, decoding its Content-Encoding. `limit` applies to the body as
 * sent and to the decoded body: decompression stops as soon as it would exceed it, so a small
 * zip bomb cannot take memory. A body that is not what its encoding says is a 400.
 */
export async function readRequestBody(request: Request, limit: number): Promise<Uint8Array> {
  const coding = codingOf(request.headers.get("content-encoding"));
  if (coding instanceof RequestBodyError) throw coding;
  const raw = await readLimited(request, limit);
  const decode = DECODERS[coding];
  if (!decode) return raw;
  try {
    return await decode(raw, { maxOutputLength: limit });
  } catch (cause) {
    if ((cause as { code?: string }).code === "ERR_BUFFER_TOO_LARGE")
      throw new RequestBodyError(
        413,
        "body_too_large",
        `the decompressed body is over 1 MiB (${limit} bytes)`,
        { cause },
      );
    const detail = cause instanceof Error ? cause.message : String(cause);
    throw new RequestBodyError(
      400,
      "invalid_content_encoding",
      `the body is not valid ${coding}: ${detail}`,
      { cause },
    );
  }
}
