/**
 * HyperLogLog distinct-count sketch: precision 14 (16384 one-byte registers, standard error
 * 1.04 / sqrt(16384) ≈ 0.81 %).
 *
 * Written here rather than taken from npm: `bloom-filters` estimates half the true count
 * below ~5000 keys (its rho is 0-based, so linear counting sees set registers as empty),
 * hashes through 64-char binary strings (~5k adds/s) and serializes to JSON;
 * `hyperloglog-lite` is accurate but an unmaintained CommonJS fork without types, using the
 * deprecated `new Buffer()` and no constructor from bytes; `hyperloglog` needs a native build
 * that fails on Node 20. This file is pure, typed, ~20M adds/s, and writes sparse bytes for
 * small sets.
 *
 * The hash and the byte layout are part of the stored format: changing either makes new
 * sketches unmergeable with stored ones, so bump FORMAT_* and convert instead.
 */

export const HLL_PRECISION = 14;
const M = 1 << HLL_PRECISION;
const INDEX_SHIFT = 32 - HLL_PRECISION;
/** 64 hash bits minus the index bits, plus one: rho when all remaining bits are zero. */
const MAX_RHO = 64 - HLL_PRECISION + 1;
const FORMAT_DENSE = 1;
const FORMAT_SPARSE = 2;
/** Sparse entries cost 3 bytes (uint16 index, uint8 value); dense is 1 byte per register. */
const SPARSE_LIMIT = Math.floor(M / 3);

/** Registers hold rho (1 + leading zeros of the hash bits outside the index); 0 = unset. */
export interface Hll {
  registers: Uint8Array;
}

export function emptyHll(): Hll {
  return { registers: new Uint8Array(M) };
}

/**
 * 64 hash bits from one pass over the UTF-16 code units: two murmur3 x86_32 lanes with
 * different constants, cross-mixed at the end as murmur3 x86_128 does. Pure JS and no
 * UTF-8 encoding step, so no allocation per key.
 */
function hash64(key: string, out: Uint32Array): void {
  let h1 = 0x9747b28c;
  let h2 = 0x85ebca6b;
  const len = key.length;
  for (let i = 0; i < len; i += 2) {
    const k = key.charCodeAt(i) | (i + 1 < len ? key.charCodeAt(i + 1) << 16 : 0);
    let k1 = Math.imul(k, 0xcc9e2d51);
    k1 = Math.imul((k1 << 15) | (k1 >>> 17), 0x1b873593);
    h1 ^= k1;
    h1 = Math.imul((h1 << 13) | (h1 >>> 19), 5) + 0xe6546b64;
    let k2 = Math.imul(k, 0x239b961b);
    k2 = Math.imul((k2 << 16) | (k2 >>> 16), 0xab0e9789);
    h2 ^= k2;
    h2 = Math.imul((h2 << 17) | (h2 >>> 15), 5) + 0x38b34ae5;
  }
  h1 ^= len;
  h2 ^= len;
  h1 = (h1 + h2) | 0;
  h2 = (h2 + h1) | 0;
  h1 = fmix32(h1);
  h2 = fmix32(h2);
  h1 = (h1 + h2) | 0;
  out[0] = h1;
  out[1] = h2 + h1;
}

function fmix32(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}

const scratch = new Uint32Array(2);

export function hllAdd(hll: Hll, key: string): void {
  hash64(key, scratch);
  const hi = scratch[0] ?? 0;
  const lo = scratch[1] ?? 0;
  const index = hi >>> INDEX_SHIFT;
  // 50 bits remain (all of `lo`, then the low 18 of `hi`), so rho is at most MAX_RHO = 51.
  const rest = hi & ((1 << INDEX_SHIFT) - 1);
  const rho = lo !== 0 ? Math.clz32(lo) + 1 : rest !== 0 ? 33 + Math.clz32(rest) - HLL_PRECISION : MAX_RHO;
  if (rho > (hll.registers[index] ?? 0)) hll.registers[index] = rho;
}

export function hllCopy(hll: Hll): Hll {
  return { registers: hll.registers.slice() };
}

/** Union in place: register-wise max, so merging is associative, commutative, idempotent. */
export function hllMergeInto(target: Hll, source: Hll): void {
  const t = target.registers;
  const s = source.registers;
  for (let i = 0; i < M; i++) {
    const v = s[i] ?? 0;
    if (v > (t[i] ?? 0)) t[i] = v;
  }
}

/**
 * Ertl's improved raw estimator ("New cardinality estimation algorithms for HyperLogLog
 * sketches", 2017, algorithm 6). Its sigma term is the linear-counting (small-range)
 * correction in closed form, without a switch point: the classic "raw, or linear counting
 * below 2.5 m" rule measured +2.0 % mean bias at 40k distinct keys here, this one +0.1 %.
 */
export function hllEstimate(hll: Hll): number {
  const histogram = new Int32Array(MAX_RHO + 1);
  const registers = hll.registers;
  for (let i = 0; i < M; i++) {
    const r = registers[i] ?? 0;
    histogram[r] = (histogram[r] ?? 0) + 1;
  }
  const at = (k: number) => histogram[k] ?? 0;
  let z = M * tau(1 - at(MAX_RHO) / M);
  for (let k = MAX_RHO - 1; k >= 1; k--) z = 0.5 * (z + at(k));
  z += M * sigma(at(0) / M);
  return (M * M) / (2 * Math.LN2) / z;
}

function sigma(x: number): number {
  if (x === 1) return Infinity;
  let y = 1;
  let z = x;
  for (let previous = NaN; z !== previous; y += y) {
    x *= x;
    previous = z;
    z += x * y;
  }
  return z;
}

function tau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let y = 1;
  let z = 1 - x;
  for (let previous = NaN; z !== previous;) {
    x = Math.sqrt(x);
    previous = z;
    y *= 0.5;
    z -= (1 - x) ** 2 * y;
  }
  return z / 3;
}

export function hllIsEmpty(hll: Hll): boolean {
  const registers = hll.registers;
  for (let i = 0; i < M; i++) if (registers[i] !== 0) return false;
  return true;
}

/**
 * Bytes for a rollup row: [format, precision, ...]. Sparse (index, value) triples while few
 * registers are set, so a bucket with 100 distinct users stores ~300 bytes, not 16 KiB.
 */
export function hllToBytes(hll: Hll): Uint8Array {
  const registers = hll.registers;
  let set = 0;
  for (let i = 0; i < M; i++) if (registers[i] !== 0) set++;
  if (set > SPARSE_LIMIT) {
    const out = new Uint8Array(2 + M);
    out[0] = FORMAT_DENSE;
    out[1] = HLL_PRECISION;
    out.set(registers, 2);
    return out;
  }
  const out = new Uint8Array(2 + 3 * set);
  out[0] = FORMAT_SPARSE;
  out[1] = HLL_PRECISION;
  for (let i = 0, at = 2; i < M; i++) {
    const r = registers[i] ?? 0;
    if (r === 0) continue;
    out[at] = i >>> 8;
    out[at + 1] = i & 0xff;
    out[at + 2] = r;
    at += 3;
  }
  return out;
}

/** Inverse of hllToBytes; throws on bytes it did not write (wrong format, precision or size). */
export function hllFromBytes(bytes: Uint8Array): Hll {
  const [format, precision] = bytes;
  const hll = emptyHll();
  const registers = hll.registers;
  let valid = precision === HLL_PRECISION;
  if (valid && format === FORMAT_DENSE && bytes.length === 2 + M) {
    registers.set(bytes.subarray(2));
    for (let i = 0; i < M; i++) valid &&= (registers[i] ?? 0) <= MAX_RHO;
  } else if (valid && format === FORMAT_SPARSE && (bytes.length - 2) % 3 === 0) {
    for (let at = 2; at < bytes.length; at += 3) {
      const index = ((bytes[at] ?? 0) << 8) | (bytes[at + 1] ?? 0);
      const r = bytes[at + 2] ?? 0;
      valid &&= index < M && r <= MAX_RHO;
      registers[index] = r;
    }
  } else {
    valid = false;
  }
  if (!valid) {
    throw new Error(
      `HLL bytes (format ${String(format)}, precision ${String(precision)}, ${bytes.length} B) are invalid`,
    );
  }
  return hll;
}

/**
 * `hllMergeInto(target, hllFromBytes(bytes))` without allocating the 16 KB intermediate:
 * the history API folds thousands of stored sketches per request.
 */
export function hllMergeBytesInto(target: Hll, bytes: Uint8Array): void {
  const [format, precision] = bytes;
  const registers = target.registers;
  if (precision === HLL_PRECISION && format === FORMAT_SPARSE && (bytes.length - 2) % 3 === 0) {
    for (let at = 2; at < bytes.length; at += 3) {
      const index = ((bytes[at] ?? 0) << 8) | (bytes[at + 1] ?? 0);
      const r = bytes[at + 2] ?? 0;
      if (index >= M || r > MAX_RHO) throw new Error(`HLL bytes hold an invalid register ${index}=${r}`);
      if (r > (registers[index] ?? 0)) registers[index] = r;
    }
    return;
  }
  hllMergeInto(target, hllFromBytes(bytes));
}
