import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { seededRandom } from "../testing/seeded-random";
import { AggregateStateError, deserializeState, emptyState, serializeState } from "./aggregate-state";
import {
  emptyHll,
  emptyRegisterHll,
  EXACT_LIMIT,
  exactHll,
  HLL_PRECISION,
  HLL_REGISTERS,
  hllAdd,
  hllAddHash,
  hllCopy,
  hllEstimate,
  hllIsEmpty,
  hllIsExact,
  hllMergeInto,
  MAX_RHO,
  toRegisters,
  type Hll,
} from "./hll";
import { HllBytesError, hllFromBytes, hllMergeBytesInto, hllToBytes } from "./hll-bytes";
import fixture from "./testdata/hll-registers-v1.json";

const SEED = 20261202;
const sketchOf = (keys: Iterable<string>): Hll => {
  const hll = emptyHll();
  for (const key of keys) hllAdd(hll, key);
  return hll;
};
const range = (n: number, key: (i: number) => string) => Array.from({ length: n }, (_, i) => key(i));
/** Random printable ids, so nothing depends on one key pattern. */
const randomIds = (n: number, seed: number) => {
  const r = seededRandom(seed);
  return range(n, (i) => `${r.int(0, 2 ** 31).toString(36)}-${i}`);
};
const bytesHex = (hll: Hll) => Buffer.from(hllToBytes(hll)).toString("hex");

describe("small sets are exact", () => {
  it(`every size from 0 to ${EXACT_LIMIT} counts exactly, before and after a stored round trip`, () => {
    const ids = randomIds(EXACT_LIMIT, SEED);
    const hll = emptyHll();
    for (let n = 0; n <= EXACT_LIMIT; n++) {
      if (n > 0) hllAdd(hll, ids[n - 1] ?? "");
      if (n > 0) hllAdd(hll, ids[Math.floor((n - 1) / 2)] ?? ""); // repeats change nothing
      expect(hllEstimate(hll), `size ${n}`).toBe(new Set(ids.slice(0, n)).size);
      expect(hllEstimate(hllFromBytes(hllToBytes(hll))), `size ${n} stored`).toBe(n);
    }
    expect(hllIsExact(hll)).toBe(true);
  });

  it("a union of up to the limit stays exact however it is split, merged and stored", () => {
    const key = fc.string({ unit: "grapheme", minLength: 0, maxLength: 12 });
    fc.assert(
      fc.property(
        fc.uniqueArray(key, { maxLength: EXACT_LIMIT, size: "max" }),
        fc.array(fc.integer({ min: 0, max: 2 }), { minLength: EXACT_LIMIT * 2, maxLength: EXACT_LIMIT * 2 }),
        (keys, parts) => {
          // Each key goes to one or two of three sketches (overlap), which merge in both ways.
          const sketches = [emptyHll(), emptyHll(), emptyHll()];
          keys.forEach((k, i) => {
            hllAdd(sketches[parts[i] ?? 0] ?? emptyHll(), k);
            if ((parts[i + keys.length] ?? 0) === 0) hllAdd(sketches[(i + 1) % 3] ?? emptyHll(), k);
          });
          const inMemory = sketches.reduce((acc, s) => (hllMergeInto(acc, s), acc), emptyHll());
          const fromBytes = emptyHll();
          for (const s of [...sketches].reverse()) hllMergeBytesInto(fromBytes, hllToBytes(s));
          expect(hllEstimate(inMemory)).toBe(new Set(keys).size);
          expect(bytesHex(fromBytes)).toBe(bytesHex(inMemory));
          expect(bytesHex(inMemory)).toBe(bytesHex(sketchOf(keys)));
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe("above the exact limit: registers within 2 %", () => {
  const families: [string, (n: number) => string[]][] = [
    ["user-i", (n) => range(n, (i) => `user-${i}`)],
    ["numbers", (n) => range(n, (i) => String(i * 7919))],
    ["random ids", (n) => randomIds(n, SEED + n)],
  ];
  it.each([1_000, EXACT_LIMIT + 1, 2_000, 10_000, 100_000, 1_000_000])(
    "%i keys",
    (n) => {
      for (const [name, keys] of families) {
        const all = keys(n);
        const exact = new Set(all).size;
        const estimate = hllEstimate(sketchOf(all));
        expect(Math.abs(estimate / exact - 1), `${name}: ${estimate} vs ${exact}`).toBeLessThan(0.02);
      }
    },
    // 3 × 10^6 keys take seconds on a busy shared machine: a runner limit, not a timing.
    60_000,
  );

  it("just above the limit, for 200 sizes", () => {
    for (let n = EXACT_LIMIT + 1; n <= EXACT_LIMIT + 200; n++) {
      const estimate = hllEstimate(sketchOf(randomIds(n, n)));
      expect(Math.abs(estimate / n - 1), `size ${n}: ${estimate}`).toBeLessThan(0.02);
    }
  });
});

describe("merging across modes", () => {
  const a = range(700, (i) => `k${i}`);
  const b = range(700, (i) => `k${i + 500}`); // union 1200 > limit
  const registersOf = (keys: string[]) => {
    const hll = emptyHll();
    toRegisters(hll);
    for (const k of keys) hllAdd(hll, k);
    return hll;
  };

  it("exact ∪ exact over the limit gives the registers of adding every key", () => {
    const merged = sketchOf(a);
    hllMergeInto(merged, sketchOf(b));
    expect(hllIsExact(merged)).toBe(false);
    expect(bytesHex(merged)).toBe(bytesHex(registersOf([...a, ...b])));
    expect(bytesHex(merged)).toBe(bytesHex(sketchOf([...a, ...b])));
  });

  it.each([
    ["exact into registers", () => registersOf(a), () => sketchOf(b)],
    ["registers into exact", () => sketchOf(a), () => registersOf(b)],
    ["registers into registers", () => registersOf(a), () => registersOf(b)],
  ])("%s, in memory and from bytes, in either order", (_name, left, right) => {
    const expected = bytesHex(registersOf([...a, ...b]));
    for (const [x, y] of [
      [left, right],
      [right, left],
    ] as const) {
      const inMemory = x();
      hllMergeInto(inMemory, y());
      const fromBytes = x();
      hllMergeBytesInto(fromBytes, hllToBytes(y()));
      expect(bytesHex(inMemory)).toBe(expected);
      expect(bytesHex(fromBytes)).toBe(expected);
    }
    const union = hllEstimate(hllFromBytes(hllToBytes(registersOf([...a, ...b]))));
    expect(Math.abs(union / 1200 - 1)).toBeLessThan(0.02);
  });

  it("merging leaves the source untouched and is idempotent", () => {
    const source = sketchOf(a);
    const before = bytesHex(source);
    const target = hllCopy(source);
    hllMergeInto(target, source);
    hllMergeInto(target, sketchOf(b));
    expect(bytesHex(source)).toBe(before);
    const twice = hllCopy(target);
    hllMergeInto(twice, target);
    expect(bytesHex(twice)).toBe(bytesHex(target));
  });
});

describe("stored sketches of the first format version still decode and merge", () => {
  // Old bytes are built here from the fixture's registers, by the format of the first version:
  // [1, 14, 16384 registers] (dense) and [2, 14, (uint16 index, uint8 rho)…] (sparse).
  const small = fixture.small;
  const sparseBytes = Uint8Array.from([
    2,
    14,
    ...small.registers.flatMap(([i = 0, r = 0]) => [i >> 8, i & 255, r]),
  ]);
  const largeRegisters = Buffer.from(fixture.large.registersBase64, "base64");
  const denseBytes = Uint8Array.from([1, 14, ...largeRegisters]);
  const keysOf = (set: { keyPrefix: string; keyCount: number }) =>
    range(set.keyCount, (i) => `${set.keyPrefix}${i}`);

  it.each([
    ["sparse", sparseBytes, small, 200],
    ["dense", denseBytes, fixture.large, 20_000],
  ] as const)("%s: same estimate as the old code, same hash as new adds", (_name, bytes, set, n) => {
    const old = hllFromBytes(bytes);
    expect(hllIsExact(old)).toBe(false);
    expect(hllEstimate(old)).toBe(set.estimate);
    // Adding the very keys the old row was built from changes no register: one hash.
    const again = hllFromBytes(bytes);
    for (const key of keysOf(set)) hllAdd(again, key);
    expect(bytesHex(again)).toBe(bytesHex(old));
    // Old row ∪ new exact row of further keys: the union within 2 %.
    const extra = sketchOf(range(300, (i) => `${set.keyPrefix}${set.keyCount + i}`));
    const union = hllFromBytes(bytes);
    hllMergeBytesInto(union, hllToBytes(extra));
    const viaAccumulator = hllCopy(extra);
    hllMergeBytesInto(viaAccumulator, bytes);
    expect(bytesHex(viaAccumulator)).toBe(bytesHex(union));
    expect(Math.abs(hllEstimate(union) / (n + 300) - 1)).toBeLessThan(0.02);
  });

  it("an old row merged into a state keeps working through serializeState", () => {
    const row = { ...serializeState(emptyState()), count: 200, distinct: sparseBytes };
    const state = deserializeState(row);
    expect(serializeState(state).distinct).toEqual(sparseBytes);
  });
});

describe("malformed or truncated bytes are refused, never read as a number", () => {
  const exactBytes = hllToBytes(sketchOf(["a", "b", "c"]));
  const swapped = Uint8Array.from([
    ...exactBytes.subarray(0, 2),
    ...exactBytes.subarray(10, 18),
    ...exactBytes.subarray(2, 10),
    ...exactBytes.subarray(18),
  ]);
  const duplicated = Uint8Array.from([...exactBytes.subarray(0, 10), ...exactBytes.subarray(2, 10)]);
  const dense = new Uint8Array(2 + 16_384);
  dense.set([1, 14]);
  it.each([
    ["empty", new Uint8Array(0)],
    ["header only half there", Uint8Array.from([3])],
    ["another precision", Uint8Array.from([3, 12])],
    ["an unknown format", Uint8Array.from([9, 14, 0, 0, 0])],
    ["a truncated dense sketch", dense.subarray(0, 100)],
    ["a dense register above 51", Uint8Array.from(dense, (v, i) => (i === 500 ? 52 : v))],
    ["a truncated sparse entry", Uint8Array.from([2, 14, 0, 1, 3, 0, 2])],
    ["a sparse index out of range", Uint8Array.from([2, 14, 0x40, 0x00, 3])],
    ["sparse indexes repeated", Uint8Array.from([2, 14, 0, 7, 3, 0, 7, 9])],
    ["sparse indexes out of order", Uint8Array.from([2, 14, 0, 9, 3, 0, 7, 9])],
    ["a sparse register of 0", Uint8Array.from([2, 14, 0, 9, 0])],
    ["a truncated key hash", exactBytes.subarray(0, exactBytes.length - 1)],
    ["key hashes out of order", swapped],
    ["a key hash repeated", duplicated],
  ])("%s", (_name, bytes) => {
    expect(() => hllFromBytes(bytes)).toThrow(HllBytesError);
    const target = sketchOf(["x", "y"]);
    const before = bytesHex(target);
    expect(() => hllMergeBytesInto(target, bytes)).toThrow(HllBytesError);
    expect(bytesHex(target)).toBe(before);
    expect(() => deserializeState({ ...serializeState(emptyState()), distinct: bytes })).toThrow(
      AggregateStateError,
    );
  });
});

describe("registers: rho is 1 + the leading zeros of the 50 bits outside the index", () => {
  /** lo's 32 bits, then the low 18 bits of hi, as the register rule reads them (written out). */
  const expectedRho = (hi: number, lo: number) => {
    const bits =
      (lo >>> 0).toString(2).padStart(32, "0") + ((hi >>> 0) & 0x3ffff).toString(2).padStart(18, "0");
    const first = bits.indexOf("1");
    return first === -1 ? MAX_RHO : first + 1;
  };
  const registerOf = (hi: number, lo: number) => {
    const hll = emptyRegisterHll();
    hllAddHash(hll, hi, lo);
    const index = (hi >>> 0) >>> (32 - HLL_PRECISION);
    return { index, rho: hll.registers?.[index] ?? 0, set: hll.registers?.filter((r) => r > 0).length };
  };

  it.each([
    ["a set top bit of lo", 0x0004_0000, 0x8000_0000, 1],
    ["the lowest bit of lo", 0x0004_0000, 1, 32],
    ["lo zero, the top bit of the rest", 0x0002_0000, 0, 33],
    ["lo zero, the lowest bit of hi", 0x0000_0001, 0, 50],
    ["all 50 bits zero", 0xfffc_0000, 0, MAX_RHO],
  ])("%s", (_name, hi, lo, rho) => {
    expect(expectedRho(hi, lo)).toBe(rho);
    expect(registerOf(hi, lo)).toMatchObject({ rho, set: 1 });
  });

  it("for any hash, the register its index names holds that rho, and no other register changes", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        (hi, lo) => {
          const { index, rho, set } = registerOf(hi, lo);
          expect(index).toBe(Math.floor(hi / 2 ** 18));
          expect(rho).toBe(expectedRho(hi, lo));
          expect(set).toBe(1);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("a register of the largest rho survives the stored round trip", () => {
    const hll = emptyRegisterHll();
    hllAddHash(hll, 0xfffc_0000, 0);
    const back = hllFromBytes(hllToBytes(hll));
    expect(back.registers?.[HLL_REGISTERS - 1]).toBe(MAX_RHO);
  });
});

describe("empty sketches", () => {
  it.each([
    ["exact", emptyHll],
    ["sized exact", () => exactHll(500)],
    ["registers", emptyRegisterHll],
  ])("%s: empty, estimate 0, then counts one key", (_name, make) => {
    const hll = make();
    expect(hllIsEmpty(hll)).toBe(true);
    expect(hllEstimate(hll)).toBe(0);
    hllAdd(hll, "k");
    expect(hllIsEmpty(hll)).toBe(false);
    expect(Math.round(hllEstimate(hll))).toBe(1);
    hllMergeInto(hll, make());
    expect(Math.round(hllEstimate(hll))).toBe(1);
  });
});

describe("every truncation of stored bytes is refused or reads whole entries only", () => {
  const exact = hllToBytes(sketchOf(range(40, (i) => `t${i}`)));
  const sparse = hllToBytes(toRegistersOf(range(2_000, (i) => `t${i}`)));
  const dense = hllToBytes(sketchOf(range(20_000, (i) => `t${i}`)));

  it("writes the three formats", () => {
    expect([exact[0], sparse[0], dense[0]]).toEqual([3, 2, 1]);
  });

  it.each([
    ["exact", exact, 8],
    ["sparse", sparse, 3],
    ["dense", dense, null],
  ])("%s", (_name, bytes, entry) => {
    for (let cut = 0; cut < bytes.length; cut += cut < 200 ? 1 : 97) {
      const prefix = bytes.subarray(0, cut);
      // A cut between two entries is a smaller valid sketch of the same format; any other is refused.
      if (entry !== null && cut >= 2 && (cut - 2) % entry === 0) {
        expect(hllEstimate(hllFromBytes(prefix)), `cut at ${cut}`).toBeLessThanOrEqual(
          hllEstimate(hllFromBytes(bytes)),
        );
      } else {
        expect(() => hllFromBytes(prefix), `cut at ${cut}`).toThrow(HllBytesError);
      }
    }
  });
});

function toRegistersOf(keys: string[]): Hll {
  const hll = emptyRegisterHll();
  for (const key of keys) hllAdd(hll, key);
  return hll;
}
