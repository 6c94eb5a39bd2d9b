/**
 * How a rejected payload is kept: its exact bytes (Postgres `bytea`: NUL and bytes that are not
 * UTF-8 survive) and beside them a readable rendering for `text`, which can hold neither.
 */

/**
 * Bytes kept per dead letter at most. Far above the 16 KiB event limit, so every payload that
 * could ever be re-driven is kept whole; only oversize ones are cut (their size is recorded).
 */
export const MAX_KEPT_PAYLOAD_BYTES = 64 * 1024;

const lenient = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });

/** The bytes to keep of a payload: all of them, or the first MAX_KEPT_PAYLOAD_BYTES. */
export function keptBytes(payload: Uint8Array): Uint8Array {
  return payload.byteLength <= MAX_KEPT_PAYLOAD_BYTES ? payload : payload.subarray(0, MAX_KEPT_PAYLOAD_BYTES);
}

/** Readable and storable as text: bytes that are not UTF-8 become U+FFFD, NUL the six characters `\u0000`. */
export function renderPayload(payload: Uint8Array): string {
  return lenient.decode(payload).replaceAll("\u0000", "\\u0000");
}
