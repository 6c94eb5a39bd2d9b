/**
 * Byte-level helpers for raw JSON payloads: UTF-8 validity, nesting depth, duplicate keys and
 * the items of a top-level array. Iterative (no recursion, so no stack overflow on 100 000
 * levels) and working on bytes: JSON's structural characters are ASCII, and no byte of a
 * multi-byte UTF-8 sequence is below 0x80, so they can be found without decoding.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const isSpace = (b: number | undefined) => b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d;

/** Offset of the first byte that does not start a valid UTF-8 sequence, or undefined. */
export function firstInvalidUtf8(bytes: Uint8Array): number | undefined {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] ?? 0;
    const [length, min, max] =
      b < 0x80 ? [1, 0, 0] : b < 0xc2 ? [0, 0, 0] : b < 0xe0 ? [2, 0x80, 0xbf] : sequenceOf(b);
    if (length === 0) return i;
    // The second byte's range rules out overlong forms, surrogates and code points > U+10FFFF.
    for (let k = 1; k < length; k++) {
      const next = bytes[i + k];
      const [lo, hi] = k === 1 ? [min, max] : [0x80, 0xbf];
      if (next === undefined || next < lo || next > hi) return i;
    }
    i += length;
  }
  return undefined;
}

/** Length of a 3- or 4-byte sequence and the allowed range of its second byte (RFC 3629). */
function sequenceOf(lead: number): [number, number, number] {
  if (lead === 0xe0) return [3, 0xa0, 0xbf];
  if (lead === 0xed) return [3, 0x80, 0x9f];
  if (lead < 0xf0) return [3, 0x80, 0xbf];
  if (lead === 0xf0) return [4, 0x90, 0xbf];
  if (lead < 0xf4) return [4, 0x80, 0xbf];
  if (lead === 0xf4) return [4, 0x80, 0x8f];
  return [0, 0, 0];
}

/** Index of the quote that closes the string opened at `start`. */
function stringEnd(bytes: Uint8Array, start: number): number {
  let j = start + 1;
  while (j < bytes.length) {
    const b = bytes[j];
    if (b === BACKSLASH) j += 2;
    else if (b === QUOTE) return j;
    else j++;
  }
  return bytes.length;
}

// ignoreBOM: a key that starts with U+FEFF must keep it (the default decoder strips it).
const utf8 = new TextDecoder("utf-8", { ignoreBOM: true });

interface Frame {
  /** Keys seen so far when the container is an object. */
  keys?: Set<string>;
  /** The key this container sits under in its parent object. */
  at?: string;
  lastKey?: string;
}

export interface JsonShape {
  /** Set when nesting goes beyond the limit (scanning stops there). */
  tooDeep?: boolean;
  /** Path of the first key that repeats within its object (`JSON.parse` would keep the last). */
  duplicateKey?: string[];
}

/** Nesting and duplicate keys of a payload that `JSON.parse` accepted. */
export function scanJson(bytes: Uint8Array, maxNesting: number): JsonShape {
  const stack: Frame[] = [];
  let expectKey = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    const top = stack[stack.length - 1];
    if (b === QUOTE) {
      const end = stringEnd(bytes, i);
      if (top?.keys && expectKey) {
        const raw = bytes.subarray(i + 1, end);
        // Only keys with escapes need JSON's decoding; most keys are plain.
        const key = raw.includes(BACKSLASH)
          ? (JSON.parse(utf8.decode(bytes.subarray(i, end + 1))) as string)
          : utf8.decode(raw);
        if (top.keys.has(key)) return { duplicateKey: [...stack.flatMap((f) => (f.at ? [f.at] : [])), key] };
        top.keys.add(key);
        top.lastKey = key;
        expectKey = false;
      }
      i = end;
    } else if (b === 0x7b || b === 0x5b) {
      const at = top?.keys ? top.lastKey : undefined;
      stack.push(b === 0x7b ? { keys: new Set(), ...(at ? { at } : {}) } : at ? { at } : {});
      if (stack.length > maxNesting) return { tooDeep: true };
      expectKey = b === 0x7b;
    } else if (b === 0x7d || b === 0x5d) {
      stack.pop();
      expectKey = false;
    } else if (b === 0x2c) {
      expectKey = top?.keys !== undefined;
    }
  }
  return {};
}

export interface ItemSpan {
  start: number;
  end: number;
}

/**
 * The items of a JSON body that `JSON.parse` accepted: the elements of a top-level array, or
 * the whole value otherwise. Spans exclude surrounding white space.
 */
export function topLevelItems(bytes: Uint8Array): { array: boolean; items: ItemSpan[] } {
  let first = 0;
  while (isSpace(bytes[first])) first++;
  let last = bytes.length;
  while (last > first && isSpace(bytes[last - 1])) last--;
  if (bytes[first] !== 0x5b) return { array: false, items: [{ start: first, end: last }] };
  const items: ItemSpan[] = [];
  let depth = 0;
  let start = -1;
  let end = -1;
  // Between the outer brackets: commas outside nested containers and strings separate items.
  for (let i = first + 1; i < last - 1; i++) {
    const b = bytes[i];
    if (depth === 0 && b === 0x2c) {
      items.push({ start, end });
      start = -1;
      continue;
    }
    if (isSpace(b)) continue;
    if (start < 0) start = i;
    if (b === QUOTE) i = stringEnd(bytes, i);
    else if (b === 0x5b || b === 0x7b) depth++;
    else if (b === 0x5d || b === 0x7d) depth--;
    end = i + 1;
  }
  if (start >= 0) items.push({ start, end });
  return { array: true, items };
}
