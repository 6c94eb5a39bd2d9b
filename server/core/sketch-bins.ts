/**
 * Accumulates the bins of stored DDSketches (protobuf bytes as written by `DDSketch.toProto`)
 * into flat arrays, without building a sketch per stored row: the history API folds thousands
 * of rows per request and the library's decoder allocated and regrew a store for each one.
 * The wire format read here is the library's (proto/compiled.js):
 *   DDSketch { IndexMapping mapping = 1; Store positiveValues = 2; Store negativeValues = 3; double zeroCount = 4 }
 *   IndexMapping { double gamma = 1; double indexOffset = 2; int32 interpolation = 3 }
 *   Store { map<sint32,double> binCounts = 1; packed double contiguousBinCounts = 2; sint32 contiguousBinIndexOffset = 3 }
 */

export class SketchBytesError extends Error {
  override name = "SketchBytesError";
}

/** Dense bin counts over keys [offset, offset + counts.length). */
export class BinCounts {
  offset = 0;
  counts = new Float64Array(0);
  total = 0;
  /** Lowest and highest key with a count (meaningless while total is 0). */
  minKey = Infinity;
  maxKey = -Infinity;

  add(key: number, weight: number): void {
    this.ensureRange(key, key + 1);
    this.counts[key - this.offset] = (this.counts[key - this.offset] ?? 0) + weight;
    this.total += weight;
    if (key < this.minKey) this.minKey = key;
    if (key > this.maxKey) this.maxKey = key;
  }

  /** Makes keys [low, high) addressable (grows geometrically, so refolds stay rare). */
  ensureRange(low: number, high: number): void {
    if (this.counts.length === 0) {
      const size = Math.max(64, (high - low) * 2);
      this.offset = low - Math.floor((size - (high - low)) / 2);
      this.counts = new Float64Array(size);
      return;
    }
    if (low >= this.offset && high <= this.offset + this.counts.length) return;
    const from = Math.min(low, this.offset);
    const to = Math.max(high, this.offset + this.counts.length);
    const size = (to - from) * 2;
    const grown = new Float64Array(size);
    const newOffset = from - Math.floor((size - (to - from)) / 2);
    grown.set(this.counts, this.offset - newOffset);
    this.counts = grown;
    this.offset = newOffset;
  }

  /** Keys from the lowest to the highest non-empty bin (0 when empty). */
  span(): number {
    return this.total > 0 ? this.maxKey - this.minKey + 1 : 0;
  }

  /**
   * DenseStore.keyAtRank of @datadog/sketches-js (same `lower` rule) for several ranks at
   * once, in one pass; `ranks` must be ascending.
   */
  keysAtRanks(ranks: readonly number[], lower: boolean): number[] {
    const keys: number[] = [];
    let running = 0;
    let next = 0;
    const last = this.maxKey - this.offset;
    for (let i = this.minKey - this.offset; i <= last && next < ranks.length; i++) {
      const weight = this.counts[i] ?? 0;
      if (weight <= 0) continue;
      running += weight;
      while (
        next < ranks.length &&
        (lower ? running > (ranks[next] ?? 0) : running >= (ranks[next] ?? 0) + 1)
      ) {
        keys.push(this.offset + i);
        next++;
      }
    }
    while (keys.length < ranks.length) keys.push(this.maxKey);
    return keys;
  }

  /** Calls `visit` for every non-empty bin: the highest and lowest first, then the rest in key order. */
  forEachOutsideIn(visit: (key: number, weight: number) => void): void {
    if (this.total <= 0) return;
    const first = this.minKey - this.offset;
    const last = this.maxKey - this.offset;
    visit(this.maxKey, this.counts[last] ?? 0);
    if (first !== last) visit(this.minKey, this.counts[first] ?? 0);
    for (let i = first + 1; i < last; i++) {
      const weight = this.counts[i] ?? 0;
      if (weight > 0) visit(this.offset + i, weight);
    }
  }

  /** Calls `visit` for every non-empty bin, in key order. */
  forEach(visit: (key: number, weight: number) => void): void {
    if (this.total <= 0) return;
    for (let i = this.minKey - this.offset; i <= this.maxKey - this.offset; i++) {
      const weight = this.counts[i] ?? 0;
      if (weight > 0) visit(this.offset + i, weight);
    }
  }

  mergeFrom(other: BinCounts): void {
    other.forEach((key, weight) => this.add(key, weight));
  }
}

/** Bins of one merged quantile sketch. */
export interface SketchBins {
  positive: BinCounts;
  negative: BinCounts;
  zero: number;
}

export const emptyBins = (): SketchBins => ({
  positive: new BinCounts(),
  negative: new BinCounts(),
  zero: 0,
});

export interface MappingParams {
  gamma: number;
  indexOffset: number;
  interpolation: number;
}

class Reader {
  pos: number;
  private readonly view: DataView;
  constructor(
    readonly bytes: Uint8Array,
    start = 0,
    readonly end = bytes.length,
  ) {
    this.pos = start;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  varint(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      if (this.pos >= this.end) throw new SketchBytesError("truncated varint");
      const byte = this.bytes[this.pos++] ?? 0;
      result += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return result;
      shift += 7;
      if (shift > 63) throw new SketchBytesError("varint too long");
    }
  }
  sint32(): number {
    const n = this.varint();
    return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
  }
  double(): number {
    if (this.pos + 8 > this.end) throw new SketchBytesError("truncated double");
    const value = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return value;
  }
  /** Skips a field this reader does not know; one cut short is refused like a known one. */
  skip(wireType: number): void {
    if (wireType === 0) this.varint();
    else if (wireType === 1) this.advance(8);
    else if (wireType === 2) this.advance(this.varint());
    else if (wireType === 5) this.advance(4);
    else throw new SketchBytesError(`unsupported wire type ${wireType}`);
  }
  private advance(length: number): void {
    if (this.pos + length > this.end) throw new SketchBytesError("truncated field");
    this.pos += length;
  }
  sub(): Reader {
    const length = this.varint();
    const sub = new Reader(this.bytes, this.pos, this.pos + length);
    if (sub.end > this.end) throw new SketchBytesError("truncated message");
    this.pos += length;
    return sub;
  }
}

function readMapping(reader: Reader): MappingParams {
  const mapping: MappingParams = { gamma: 0, indexOffset: 0, interpolation: 0 };
  while (reader.pos < reader.end) {
    const tag = reader.varint();
    const field = Math.floor(tag / 8);
    if (field === 1) mapping.gamma = reader.double();
    else if (field === 2) mapping.indexOffset = reader.double();
    else if (field === 3) mapping.interpolation = reader.varint();
    else reader.skip(tag & 7);
  }
  return mapping;
}

function readStore(reader: Reader, into: BinCounts): void {
  // Field 3 (the offset) follows the packed counts on the wire: remember where they are.
  let packed: Reader | null = null;
  let offset = 0;
  while (reader.pos < reader.end) {
    const tag = reader.varint();
    const field = Math.floor(tag / 8);
    if (field === 1) readMapEntry(reader.sub(), into);
    else if (field === 2 && (tag & 7) === 2) packed = reader.sub();
    else if (field === 3) offset = reader.sint32();
    else reader.skip(tag & 7);
  }
  if (!packed) return;
  into.ensureRange(offset, offset + Math.floor((packed.end - packed.pos) / 8));
  const counts = into.counts;
  let total = 0;
  let low = Infinity;
  let high = -Infinity;
  for (let key = offset; packed.pos < packed.end; key++) {
    const weight = packed.double();
    if (weight > 0) {
      const at = key - into.offset;
      counts[at] = (counts[at] ?? 0) + weight;
      total += weight;
      if (key < low) low = key;
      high = key;
    }
  }
  into.total += total;
  if (low < into.minKey) into.minKey = low;
  if (high > into.maxKey) into.maxKey = high;
}

function readMapEntry(entry: Reader, into: BinCounts): void {
  let key = 0;
  let weight = 0;
  while (entry.pos < entry.end) {
    const tag = entry.varint();
    if (Math.floor(tag / 8) === 1) key = entry.sint32();
    else if (Math.floor(tag / 8) === 2) weight = entry.double();
    else entry.skip(tag & 7);
  }
  if (weight > 0) into.add(key, weight);
}

/** The mapping a sketch's bytes were written with. */
export function readMappingOf(bytes: Uint8Array): MappingParams {
  const reader = new Reader(bytes);
  while (reader.pos < reader.end) {
    const tag = reader.varint();
    if (Math.floor(tag / 8) === 1) return readMapping(reader.sub());
    reader.skip(tag & 7);
  }
  return { gamma: 0, indexOffset: 0, interpolation: 0 };
}

/** Adds the bins of stored sketch `bytes` to `bins`; refuses bytes of another mapping. */
export function foldSketchBytes(bins: SketchBins, bytes: Uint8Array, reference: MappingParams): void {
  const reader = new Reader(bytes);
  while (reader.pos < reader.end) {
    const tag = reader.varint();
    const field = Math.floor(tag / 8);
    if (field === 1) {
      const m = readMapping(reader.sub());
      const same =
        Math.abs(m.gamma / reference.gamma - 1) < 1e-12 &&
        m.indexOffset === reference.indexOffset &&
        m.interpolation === reference.interpolation;
      if (!same) throw new SketchBytesError(`quantile sketch has gamma ${m.gamma}`);
    } else if (field === 2) readStore(reader.sub(), bins.positive);
    else if (field === 3) readStore(reader.sub(), bins.negative);
    else if (field === 4) bins.zero += reader.double();
    else reader.skip(tag & 7);
  }
}
