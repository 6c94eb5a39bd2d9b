import { createRequire } from "node:module";
import { LogCollapsingLowestDenseDDSketch } from "@datadog/sketches-js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  accumulateSerialized,
  AggregateStateError,
  emptyAccumulator,
  RELATIVE_ACCURACY,
} from "./aggregate-state";
import {
  BinCounts,
  emptyBins,
  foldSketchBytes,
  readMappingOf,
  SketchBytesError,
  type MappingParams,
  type SketchBins,
} from "./sketch-bins";

/**
 * The reference is the library itself: its sketches and stores, and the protobuf code it ships
 * (protobufjs, proto/compiled.js), which also writes the `binCounts` map entries that other
 * DDSketch implementations (Go, Java) send and the JS library never writes.
 */
interface ProtoStore {
  binCounts?: Record<string, number>;
  contiguousBinCounts?: number[];
  contiguousBinIndexOffset?: number;
}
interface ProtoSketch {
  mapping?: MappingParams;
  positiveValues?: ProtoStore;
  negativeValues?: ProtoStore;
  zeroCount?: number;
}
const proto = createRequire(import.meta.url)("@datadog/sketches-js/dist/ddsketch/proto/compiled.js") as {
  DDSketch: {
    encode(message: ProtoSketch): { finish(): Uint8Array };
    decode(bytes: Uint8Array): Required<ProtoSketch> & { positiveValues: ProtoStore | null };
  };
};

const newSketch = (relativeAccuracy = RELATIVE_ACCURACY) =>
  new LogCollapsingLowestDenseDDSketch({ relativeAccuracy });
const MAPPING = readMappingOf(newSketch().toProto());
const encode = (message: ProtoSketch) => proto.DDSketch.encode(message).finish();

/** Non-empty bins as [key, weight] pairs, ascending. */
const pairs = (counts: BinCounts): [number, number][] => {
  const out: [number, number][] = [];
  counts.forEach((key, weight) => out.push([key, weight]));
  return out;
};
const folded = (bytes: Uint8Array): SketchBins => {
  const bins = emptyBins();
  foldSketchBytes(bins, bytes, MAPPING);
  return bins;
};
/** What protobufjs decodes from a Store: map entries plus contiguous counts, summed per key. */
function decodedPairs(store: ProtoStore | null | undefined): [number, number][] {
  const sums = new Map<number, number>();
  const add = (key: number, weight: number) => {
    if (weight > 0) sums.set(key, (sums.get(key) ?? 0) + weight);
  };
  for (const [key, weight] of Object.entries(store?.binCounts ?? {})) add(Number(key), weight);
  (store?.contiguousBinCounts ?? []).forEach((w, i) => add((store?.contiguousBinIndexOffset ?? 0) + i, w));
  return [...sums].sort((a, b) => a[0] - b[0]);
}
const libraryPairs = (store: LogCollapsingLowestDenseDDSketch["store"]): [number, number][] =>
  store.bins.flatMap((weight, i): [number, number][] => (weight > 0 ? [[store.offset + i, weight]] : []));

describe("foldSketchBytes reads what the library writes", () => {
  const value = fc.oneof(
    fc.double({ min: 1e-6, max: 1e12, noNaN: true }),
    fc.double({ min: -1e9, max: -1e-6, noNaN: true }),
    fc.constant(0),
  );
  it("into the library's own bins: positive, negative and zero", () => {
    fc.assert(
      fc.property(fc.array(value, { maxLength: 300 }), (values) => {
        const sketch = newSketch();
        for (const v of values) sketch.accept(v);
        const bins = folded(sketch.toProto());
        expect(pairs(bins.positive)).toEqual(libraryPairs(sketch.store));
        expect(pairs(bins.negative)).toEqual(libraryPairs(sketch.negativeStore));
        expect(bins.zero).toBe(sketch.zeroCount);
        expect(bins.positive.total + bins.negative.total + bins.zero).toBe(values.length);
      }),
      { numRuns: 200 },
    );
  });

  it("adds the bins of several rows, in any order", () => {
    const parts = [
      [1, 2, 3],
      [-5, 0, 100],
      [2, 2, 1e9],
    ];
    const byOne = newSketch();
    parts.flat().forEach((v) => byOne.accept(v));
    const bins = emptyBins();
    for (const part of [...parts].reverse()) {
      const sketch = newSketch();
      part.forEach((v) => sketch.accept(v));
      foldSketchBytes(bins, sketch.toProto(), MAPPING);
    }
    expect(pairs(bins.positive)).toEqual(libraryPairs(byOne.store));
    expect(pairs(bins.negative)).toEqual(libraryPairs(byOne.negativeStore));
    expect(bins.zero).toBe(1);
  });
});

describe("the map-entry path (binCounts), as other DDSketch implementations write it", () => {
  it.each<[string, ProtoStore, ProtoStore]>([
    ["map entries only", { binCounts: { "-3": 2, "0": 1, "17": 5 } }, { binCounts: { "4": 1.5 } }],
    [
      "map entries and contiguous counts, sharing a key",
      { binCounts: { "17": 5, "40": 1 }, contiguousBinCounts: [1, 0, 2], contiguousBinIndexOffset: 15 },
      { contiguousBinCounts: [3], contiguousBinIndexOffset: -2 },
    ],
    ["a zero or negative weight adds nothing", { binCounts: { "5": 0, "6": -2, "7": 1 } }, {}],
  ])("%s", (_name, positiveValues, negativeValues) => {
    const bytes = encode({ mapping: MAPPING, positiveValues, negativeValues, zeroCount: 4 });
    const reference = proto.DDSketch.decode(bytes);
    const bins = folded(bytes);
    expect(pairs(bins.positive)).toEqual(decodedPairs(reference.positiveValues));
    expect(pairs(bins.negative)).toEqual(decodedPairs(reference.negativeValues));
    expect(bins.zero).toBe(4);
    expect(bins.positive.total).toBe(decodedPairs(positiveValues).reduce((n, [, w]) => n + w, 0));
  });

  it("a map entry without a key is key 0, one without a weight adds nothing", () => {
    // Store { binCounts: entry{value: 2} , entry{key: 9} } written by hand (proto3 omits defaults).
    const store = [0x0a, 0x09, 0x11, ...doubleBytes(2), 0x0a, 0x02, 0x08, 0x12];
    const bins = folded(Uint8Array.from([...mappingField(), 0x12, store.length, ...store]));
    expect(pairs(bins.positive)).toEqual([[0, 2]]);
  });
});

function doubleBytes(value: number): number[] {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setFloat64(0, value, true);
  return [...out];
}
/** The top-level mapping field (1) of our sketches. */
const mappingField = () => {
  const bytes = newSketch().toProto();
  const length = bytes[1] ?? 0;
  return [...bytes.subarray(0, 2 + length)];
};

describe("unknown fields are skipped, whatever their wire type", () => {
  const sketch = newSketch();
  [1, 5, 5, -3, 0, 1e6].forEach((v) => sketch.accept(v));
  const bytes = sketch.toProto();
  it.each([
    ["varint (field 9)", [0x48, 0x96, 0x01]],
    ["fixed64 (field 10)", [0x51, ...doubleBytes(7)]],
    ["length-delimited (field 11)", [0x5a, 0x03, 1, 2, 3]],
    ["fixed32 (field 12)", [0x65, 1, 2, 3, 4]],
  ])("%s, before and after the known ones", (_name, unknown) => {
    const expected = folded(bytes);
    for (const variant of [
      Uint8Array.from([...unknown, ...bytes]),
      Uint8Array.from([...bytes, ...unknown]),
    ]) {
      const bins = folded(variant);
      expect(pairs(bins.positive)).toEqual(pairs(expected.positive));
      expect(pairs(bins.negative)).toEqual(pairs(expected.negative));
      expect(bins.zero).toBe(expected.zero);
    }
  });
});

describe("malformed and truncated bytes are refused, never read as bins", () => {
  const valid = (() => {
    const sketch = newSketch();
    [0.5, 3, 3, 70, -2, 0].forEach((v) => sketch.accept(v));
    return sketch.toProto();
  })();
  const otherMapping = (params: Partial<MappingParams>) => encode({ mapping: { ...MAPPING, ...params } });
  it.each([
    ["a varint cut short", Uint8Array.from([0x80])],
    ["a varint longer than 64 bits", Uint8Array.from([0x48, ...Array(10).fill(0xff), 0x01])],
    ["a zero count cut short", Uint8Array.from([0x21, 1, 2, 3])],
    ["a store longer than the bytes", Uint8Array.from([0x12, 50, 0x12, 0x08])],
    ["packed counts not a whole number of doubles", Uint8Array.from([0x12, 0x05, 0x12, 0x03, 1, 2, 3])],
    ["a group (wire type 3)", Uint8Array.from([0x4b, 0x4c])],
    ["wire type 6", Uint8Array.from([0x4e])],
    ["wire type 7", Uint8Array.from([0x4f])],
    ["an unknown fixed64 cut short", Uint8Array.from([...valid, 0x51, 1, 2])],
    ["an unknown fixed32 cut short", Uint8Array.from([...valid, 0x65, 1])],
    ["an unknown length-delimited field longer than the bytes", Uint8Array.from([...valid, 0x5a, 0x09, 1])],
    ["another gamma", newSketch(0.02).toProto()],
    ["another index offset", otherMapping({ indexOffset: 1 })],
    ["another interpolation", otherMapping({ interpolation: 1 })],
  ])("%s", (_name, bytes) => {
    expect(() => folded(bytes)).toThrow(SketchBytesError);
    // Through the history merge it is the state's error, with the reason as its cause.
    const row = { count: 1, sum: 0, min: 0, max: 0, quantiles: bytes, distinct: null };
    expect(() => accumulateSerialized(emptyAccumulator(), row)).toThrow(AggregateStateError);
  });

  it("every prefix of a sketch's bytes is refused or reads whole fields only", () => {
    const whole = folded(valid);
    const total = whole.positive.total + whole.negative.total + whole.zero;
    for (let cut = 0; cut < valid.length; cut++) {
      let bins: SketchBins | undefined;
      try {
        bins = folded(valid.subarray(0, cut));
      } catch (error) {
        expect(error, `cut at ${cut}`).toBeInstanceOf(SketchBytesError);
        continue;
      }
      // A cut between two top-level fields is a valid shorter sketch: fewer bins, none invented.
      const weights = [...pairs(bins.positive), ...pairs(bins.negative)].map(([, w]) => w);
      expect(
        weights.every((w) => w > 0 && Number.isFinite(w)),
        `cut at ${cut}`,
      ).toBe(true);
      expect(bins.positive.total + bins.negative.total + bins.zero).toBeLessThanOrEqual(total);
    }
  });
});

describe("BinCounts", () => {
  it("keeps every count while it grows in both directions", () => {
    const counts = new BinCounts();
    const added: [number, number][] = [
      [0, 1],
      [500, 2],
      [-700, 3],
      [500, 1],
      [3000, 0.5],
      [-4000, 4],
    ];
    for (const [key, weight] of added) counts.add(key, weight);
    expect(pairs(counts)).toEqual([
      [-4000, 4],
      [-700, 3],
      [0, 1],
      [500, 3],
      [3000, 0.5],
    ]);
    expect(counts.total).toBe(11.5);
    expect(counts.span()).toBe(7001);
    expect([counts.minKey, counts.maxKey]).toEqual([-4000, 3000]);
  });

  it("visits the outermost bins first, then the rest in key order", () => {
    const counts = new BinCounts();
    for (const key of [5, 1, 9, 3]) counts.add(key, key);
    const visited: number[] = [];
    counts.forEachOutsideIn((key) => visited.push(key));
    expect(visited).toEqual([9, 1, 3, 5]);
    const single = new BinCounts();
    single.add(4, 1);
    const once: number[] = [];
    single.forEachOutsideIn((key) => once.push(key));
    expect(once).toEqual([4]);
  });

  it("finds the keys at ranks as the library's DenseStore.keyAtRank does, for both rules", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: -50, max: 50 }), fc.integer({ min: 1, max: 5 })), {
          minLength: 1,
        }),
        // Whole ranks too: q·(n−1) is one for p50 of an odd n, and there the two rules differ.
        fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.boolean()), {
          minLength: 1,
          maxLength: 6,
        }),
        fc.boolean(),
        (entries, quantiles, lower) => {
          const sketch = newSketch();
          const counts = new BinCounts();
          for (const [key, weight] of entries) {
            sketch.store.add(key, weight);
            counts.add(key, weight);
          }
          const ranks = quantiles
            .map(([q, whole]) => (whole ? Math.floor(q * counts.total) : q) * (whole ? 1 : counts.total - 1))
            .map((rank) => Math.min(rank, counts.total - 1))
            .sort((a, b) => a - b);
          expect(counts.keysAtRanks(ranks, lower)).toEqual(
            ranks.map((r) => sketch.store.keyAtRank(r, lower)),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it("merges another's counts", () => {
    const a = new BinCounts();
    const b = new BinCounts();
    a.add(1, 1);
    b.add(1, 2);
    b.add(-9, 1);
    a.mergeFrom(b);
    expect(pairs(a)).toEqual([
      [-9, 1],
      [1, 3],
    ]);
    expect(pairs(b)).toEqual([
      [-9, 1],
      [1, 2],
    ]);
  });
});

describe("readMappingOf", () => {
  it("reads our mapping, and zeros when the bytes carry none", () => {
    expect(MAPPING.gamma).toBeCloseTo((1 + RELATIVE_ACCURACY) / (1 - RELATIVE_ACCURACY), 12);
    expect(readMappingOf(encode({ zeroCount: 1 }))).toEqual({ gamma: 0, indexOffset: 0, interpolation: 0 });
  });
});
