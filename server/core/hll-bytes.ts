import {
  emptyHll,
  emptyRegisterHll,
  EXACT_LIMIT,
  exactHll,
  HLL_PRECISION,
  HLL_REGISTERS,
  hllAddHash,
  MAX_RHO,
  toRegisters,
  type Hll,
} from "./hll";

/**
 * Stored bytes of the distinct-count sketch: [format, precision, …body].
 *   1 dense:  16384 registers, one byte each (written since the first version)
 *   2 sparse: (uint16 index, uint8 rho) per set register, ascending index (first version)
 *   3 exact:  (uint32 high, uint32 low) big-endian per key hash, strictly ascending
 * Formats 1 and 2 decode into register mode, 3 into exact mode; a row of any format merges
 * with any other (docs/decisions/0017). Bytes no version writes are refused, never guessed.
 */
const FORMAT_DENSE = 1;
const FORMAT_SPARSE = 2;
const FORMAT_EXACT = 3;
/** Sparse entries cost 3 bytes; dense is 1 byte per register. */
const SPARSE_LIMIT = Math.floor(HLL_REGISTERS / 3);

export class HllBytesError extends Error {
  override name = "HllBytesError";
}

export function hllToBytes(hll: Hll): Uint8Array {
  if (hll.exact) {
    const hashes = hll.exact.sorted();
    const out = new Uint8Array(2 + 8 * hashes.length);
    const view = new DataView(out.buffer);
    out[0] = FORMAT_EXACT;
    out[1] = HLL_PRECISION;
    // Big-endian: the high word first, as the decoder reads it.
    hashes.forEach((hash, i) => view.setBigUint64(2 + 8 * i, hash));
    return out;
  }
  return registersToBytes(hll.registers ?? new Uint8Array(HLL_REGISTERS));
}

function registersToBytes(registers: Uint8Array): Uint8Array {
  let set = 0;
  for (let i = 0; i < HLL_REGISTERS; i++) if (registers[i] !== 0) set++;
  if (set > SPARSE_LIMIT) {
    const out = new Uint8Array(2 + HLL_REGISTERS);
    out[0] = FORMAT_DENSE;
    out[1] = HLL_PRECISION;
    out.set(registers, 2);
    return out;
  }
  const out = new Uint8Array(2 + 3 * set);
  out[0] = FORMAT_SPARSE;
  out[1] = HLL_PRECISION;
  for (let i = 0, at = 2; i < HLL_REGISTERS; i++) {
    const r = registers[i] ?? 0;
    if (r === 0) continue;
    out[at] = i >>> 8;
    out[at + 1] = i & 0xff;
    out[at + 2] = r;
    at += 3;
  }
  return out;
}

/** Inverse of hllToBytes, for every format ever written. */
export function hllFromBytes(bytes: Uint8Array): Hll {
  const format = checkBytes(bytes);
  const hashes = (bytes.length - 2) / 8;
  // Sized for its hashes up front: growing a set from 16 slots rehashes it seven times.
  const hll =
    format !== FORMAT_EXACT ? emptyRegisterHll() : hashes <= EXACT_LIMIT ? exactHll(hashes) : emptyHll();
  mergeChecked(hll, bytes, format);
  return hll;
}

/**
 * `hllMergeInto(target, hllFromBytes(bytes))` without the intermediate sketch: the history API
 * folds thousands of stored sketches per request. Bytes are checked before `target` changes.
 */
export function hllMergeBytesInto(target: Hll, bytes: Uint8Array): void {
  mergeChecked(target, bytes, checkBytes(bytes));
}

function mergeChecked(target: Hll, bytes: Uint8Array, format: number): void {
  if (format === FORMAT_EXACT) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let at = 2; at < bytes.length; at += 8)
      hllAddHash(target, view.getUint32(at), view.getUint32(at + 4));
    return;
  }
  const registers = toRegisters(target);
  if (format === FORMAT_DENSE) {
    for (let i = 0; i < HLL_REGISTERS; i++) {
      const r = bytes[2 + i] ?? 0;
      if (r > (registers[i] ?? 0)) registers[i] = r;
    }
    return;
  }
  for (let at = 2; at < bytes.length; at += 3) {
    const index = ((bytes[at] ?? 0) << 8) | (bytes[at + 1] ?? 0);
    const r = bytes[at + 2] ?? 0;
    if (r > (registers[index] ?? 0)) registers[index] = r;
  }
}

/** The format of well-formed sketch bytes; throws HllBytesError saying what is wrong otherwise. */
function checkBytes(bytes: Uint8Array): number {
  const [format, precision] = bytes;
  const fail = (problem: string): never => {
    throw new HllBytesError(
      `distinct sketch bytes (format ${String(format)}, precision ${String(precision)}, ${bytes.length} B): ${problem}`,
    );
  };
  if (bytes.length < 2) fail("shorter than the 2-byte header");
  if (precision !== HLL_PRECISION) fail(`precision must be ${HLL_PRECISION}`);
  const body = bytes.length - 2;
  if (format === FORMAT_DENSE) {
    if (body !== HLL_REGISTERS) fail(`a dense sketch has ${HLL_REGISTERS} registers`);
    for (let i = 2; i < bytes.length; i++)
      if ((bytes[i] ?? 0) > MAX_RHO) fail(`register ${i - 2} > ${MAX_RHO}`);
  } else if (format === FORMAT_SPARSE) {
    if (body % 3 !== 0) fail("truncated sparse entry");
    let previous = -1;
    for (let at = 2; at < bytes.length; at += 3) {
      const index = ((bytes[at] ?? 0) << 8) | (bytes[at + 1] ?? 0);
      const r = bytes[at + 2] ?? 0;
      if (index >= HLL_REGISTERS || index <= previous) fail(`sparse index ${index} out of order or range`);
      if (r < 1 || r > MAX_RHO) fail(`register ${index} = ${r}`);
      previous = index;
    }
  } else if (format === FORMAT_EXACT) {
    if (body % 8 !== 0) fail("truncated key hash");
    checkAscending(bytes, fail);
  } else {
    fail("unknown format");
  }
  return format ?? 0;
}

function checkAscending(bytes: Uint8Array, fail: (problem: string) => never): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = 10; at < bytes.length; at += 8) {
    const hi = view.getUint32(at);
    const previousHi = view.getUint32(at - 8);
    if (hi < previousHi || (hi === previousHi && view.getUint32(at + 4) <= view.getUint32(at - 4)))
      fail(`key hash ${(at - 2) / 8} out of order`);
  }
}
