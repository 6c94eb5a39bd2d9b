import { EVENT_LIMITS, type Reason } from "./events";
import { firstInvalidUtf8, scanJson } from "./json-scan";
import { printable } from "./text";
import { idOf, sizeReason, validateEvent, type Validation, type ValidationOptions } from "./validate";

const BOM = [0xef, 0xbb, 0xbf];
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** The payload without a leading UTF-8 byte order mark (RFC 8259 §8.1 lets parsers ignore it). */
export function withoutBom(bytes: Uint8Array): Uint8Array {
  return BOM.every((b, i) => bytes[i] === b) ? bytes.subarray(3) : bytes;
}

function reject(code: Reason["code"], message: string, id?: string): Validation {
  return { ok: false, ...(id ? { id } : {}), reasons: [{ code, message, path: "" }] };
}

/**
 * JSON.parse's message without the input it quotes (it may be binary or huge): what was
 * unexpected and, when V8 says, the position. Storable and short.
 */
export function jsonErrorMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return printable(message.replace(/, ".*" is not valid JSON$/s, ""), 120);
}

/**
 * Decodes and validates one raw message body: a NATS message, or one item of an HTTP request
 * exactly as received. Both transports call this, so they give the same verdict. Oversize,
 * non-UTF-8, non-JSON, too deeply nested and ambiguous (repeated key) payloads become reasons,
 * never exceptions.
 */
export function validatePayload(
  payload: Uint8Array | string,
  now: number,
  options: ValidationOptions = {},
): Validation {
  const raw = typeof payload === "string" ? new TextEncoder().encode(payload) : payload;
  const tooLarge = sizeReason(raw.byteLength);
  if (tooLarge) return { ok: false, reasons: [tooLarge] };
  const bytes = withoutBom(raw);
  const bad = firstInvalidUtf8(bytes);
  if (bad !== undefined) {
    const offset = bad + raw.byteLength - bytes.byteLength;
    const hex = (bytes[bad] ?? 0).toString(16).padStart(2, "0");
    return reject("invalid_encoding", `the payload is not valid UTF-8: byte 0x${hex} at offset ${offset}`);
  }
  let input: unknown;
  try {
    input = JSON.parse(utf8.decode(bytes));
  } catch (error) {
    return reject("invalid_json", `not valid JSON: ${jsonErrorMessage(error)}`);
  }
  const shape = scanJson(bytes, EVENT_LIMITS.maxNesting);
  if (shape.tooDeep) {
    const message = `the event is nested more than ${EVENT_LIMITS.maxNesting} levels deep (attrs are flat)`;
    return reject("nesting_too_deep", message, idOf(input));
  }
  const validation = validateEvent(input, now, options);
  if (!shape.duplicateKey) return validation;
  const path = printable(shape.duplicateKey.join("."), 200);
  const duplicate: Reason = {
    code: "duplicate_key",
    message: `${path} appears more than once in its object; which one is meant is ambiguous`,
    path,
  };
  const others = validation.ok ? [] : validation.reasons;
  return { ok: false, ...(idOf(input) ? { id: idOf(input) } : {}), reasons: [duplicate, ...others] };
}
