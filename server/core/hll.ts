import { HashSet64 } from "./hash-set64";
import { hash64 } from "./hll-hash";

/**
 * Distinct-count sketch in two modes, as postgresql-hll and Redis do (docs/decisions/0017):
 * - exact: the distinct 64-bit key hashes themselves, while there are at most EXACT_LIMIT
 *   (1024) of them, so small sets are counted exactly (a collision of two of ≤ 1024 random
 *   64-bit hashes has probability < 3·10^-14);
 * - registers: HyperLogLog, precision 14 (16384 one-byte registers, standard error
 *   1.04 / sqrt(16384) ≈ 0.81 %, measured ≤ 2 % from 10^3 to 10^6 keys).
 * One more distinct hash than the limit turns exact into registers, computed from the hashes
 * exactly as if the keys had been added to registers, so the mode and the registers depend
 * only on the set of keys: merging is associative, commutative and idempotent across modes.
 *
 * Written here rather than taken from npm: `bloom-filters` estimates half the true count
 * below ~5000 keys, `hyperloglog-lite` is an unmaintained CommonJS fork without a constructor
 * from bytes, `hyperloglog` needs a native (node-gyp) build that failed on Node 20 when this was chosen.
 *
 * The hash (hll-hash.ts) and the byte layout (hll-bytes.ts) are part of the stored format.
 */

export const HLL_PRECISION = 14;
export const HLL_REGISTERS = 1 << HLL_PRECISION;
/** Sets up to this many distinct keys are counted exactly. */
export const EXACT_LIMIT = 1024;
const INDEX_SHIFT = 32 - HLL_PRECISION;
/** 64 hash bits minus the index bits, plus one: rho when all remaining bits are zero. */
export const MAX_RHO = 64 - HLL_PRECISION + 1;

export interface Hll {
  /** Exact mode: the distinct key hashes; null in register mode. */
  exact: HashSet64 | null;
  /** Register mode: rho (1 + leading zeros of the hash bits outside the index), 0 = unset; null in exact mode. */
  registers: Uint8Array | null;
}

export function emptyHll(): Hll {
  return { exact: new HashSet64(), registers: null };
}

/** An empty exact-mode sketch with room for `keys` hashes before it grows. */
export function exactHll(keys: number): Hll {
  return { exact: new HashSet64(2 * keys + 2), registers: null };
}

/** An empty sketch in register mode (what stored register rows decode into). */
export function emptyRegisterHll(): Hll {
  return { exact: null, registers: new Uint8Array(HLL_REGISTERS) };
}

const scratch = new Uint32Array(2);

export function hllAdd(hll: Hll, key: string): void {
  hash64(key, scratch);
  hllAddHash(hll, scratch[0] ?? 0, scratch[1] ?? 0);
}

/** Adds one key hash (high and low 32-bit words). */
export function hllAddHash(hll: Hll, hi: number, lo: number): void {
  const { exact } = hll;
  if (exact) {
    if (exact.add(hi, lo) && exact.size > EXACT_LIMIT) toRegisters(hll);
    return;
  }
  if (hll.registers) setRegister(hll.registers, hi, lo);
}

function setRegister(registers: Uint8Array, hi: number, lo: number): void {
  const index = hi >>> INDEX_SHIFT;
  // 50 bits remain (all of `lo`, then the low 18 of `hi`), so rho is at most MAX_RHO = 51.
  const rest = hi & ((1 << INDEX_SHIFT) - 1);
  const rho = lo !== 0 ? Math.clz32(lo) + 1 : rest !== 0 ? 33 + Math.clz32(rest) - HLL_PRECISION : MAX_RHO;
  if (rho > (registers[index] ?? 0)) registers[index] = rho;
}

/** Switches `hll` to register mode (no-op when it is already there). */
export function toRegisters(hll: Hll): Uint8Array {
  if (hll.registers) return hll.registers;
  const registers = new Uint8Array(HLL_REGISTERS);
  hll.exact?.forEach((hi, lo) => setRegister(registers, hi, lo));
  hll.exact = null;
  hll.registers = registers;
  return registers;
}

export function hllCopy(hll: Hll): Hll {
  return { exact: hll.exact?.copy() ?? null, registers: hll.registers?.slice() ?? null };
}

export const hllIsExact = (hll: Hll): boolean => hll.exact !== null;

/** Union in place; `source` is untouched. */
export function hllMergeInto(target: Hll, source: Hll): void {
  if (source.exact) {
    source.exact.forEach((hi, lo) => hllAddHash(target, hi, lo));
    return;
  }
  const s = source.registers;
  if (!s) return;
  const t = toRegisters(target);
  for (let i = 0; i < HLL_REGISTERS; i++) {
    const v = s[i] ?? 0;
    if (v > (t[i] ?? 0)) t[i] = v;
  }
}

/** The exact count in exact mode; Ertl's estimate from the registers otherwise. */
export function hllEstimate(hll: Hll): number {
  if (hll.exact) return hll.exact.size;
  return hll.registers ? registerEstimate(hll.registers) : 0;
}

/**
 * Ertl's improved raw estimator ("New cardinality estimation algorithms for HyperLogLog
 * sketches", 2017, algorithm 6). Its sigma term is the linear-counting (small-range)
 * correction in closed form, without a switch point: the classic "raw, or linear counting
 * below 2.5 m" rule measured +2.0 % mean bias at 40k distinct keys here, this one +0.1 %.
 */
function registerEstimate(registers: Uint8Array): number {
  const m = HLL_REGISTERS;
  const histogram = new Int32Array(MAX_RHO + 1);
  for (let i = 0; i < m; i++) {
    const r = registers[i] ?? 0;
    histogram[r] = (histogram[r] ?? 0) + 1;
  }
  const at = (k: number) => histogram[k] ?? 0;
  let z = m * tau(1 - at(MAX_RHO) / m);
  for (let k = MAX_RHO - 1; k >= 1; k--) z = 0.5 * (z + at(k));
  z += m * sigma(at(0) / m);
  return (m * m) / (2 * Math.LN2) / z;
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
  if (hll.exact) return hll.exact.size === 0;
  const registers = hll.registers;
  if (!registers) return true;
  for (let i = 0; i < HLL_REGISTERS; i++) if (registers[i] !== 0) return false;
  return true;
}
