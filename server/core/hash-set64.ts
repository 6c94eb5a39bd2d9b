/**
 * A set of 64-bit hashes held as (high, low) 32-bit words in flat typed arrays: open
 * addressing with linear probing, at most half full. The exact mode of the distinct-count
 * sketch (server/core/hll.ts) adds millions of keys per second through it, so adding
 * allocates nothing and no BigInt is made.
 */
export class HashSet64 {
  size = 0;
  private hi: Uint32Array;
  private lo: Uint32Array;
  private used: Uint8Array;
  private mask: number;

  constructor(capacity = 16) {
    const slots = 2 ** Math.ceil(Math.log2(Math.max(4, capacity)));
    this.hi = new Uint32Array(slots);
    this.lo = new Uint32Array(slots);
    this.used = new Uint8Array(slots);
    this.mask = slots - 1;
  }

  /** Adds one hash; true when it was not in the set yet. */
  add(hi: number, lo: number): boolean {
    hi >>>= 0;
    lo >>>= 0;
    // The words are already well mixed: their low bits pick the slot.
    let at = (lo ^ hi) & this.mask;
    while (this.used[at] === 1) {
      if (this.hi[at] === hi && this.lo[at] === lo) return false;
      at = (at + 1) & this.mask;
    }
    this.used[at] = 1;
    this.hi[at] = hi;
    this.lo[at] = lo;
    this.size += 1;
    if (this.size * 2 > this.mask + 1) this.grow();
    return true;
  }

  forEach(visit: (hi: number, lo: number) => void): void {
    for (let at = 0; at <= this.mask; at++)
      if (this.used[at] === 1) visit(this.hi[at] ?? 0, this.lo[at] ?? 0);
  }

  /** The hashes in ascending unsigned 64-bit order: the canonical order of stored bytes. */
  sorted(): BigUint64Array {
    // A typed-array sort without a comparator is ~12× faster than sorting slot indexes.
    const out = new BigUint64Array(this.size);
    let next = 0;
    this.forEach((hi, lo) => (out[next++] = (BigInt(hi) << 32n) | BigInt(lo)));
    return out.sort();
  }

  copy(): HashSet64 {
    const copy = new HashSet64(this.mask + 1);
    copy.hi.set(this.hi);
    copy.lo.set(this.lo);
    copy.used.set(this.used);
    copy.size = this.size;
    return copy;
  }

  private grow(): void {
    const { hi, lo, used } = this;
    const slots = (this.mask + 1) * 2;
    this.hi = new Uint32Array(slots);
    this.lo = new Uint32Array(slots);
    this.used = new Uint8Array(slots);
    this.mask = slots - 1;
    this.size = 0;
    for (let at = 0; at < used.length; at++) if (used[at] === 1) this.add(hi[at] ?? 0, lo[at] ?? 0);
  }
}
