/**
 * The 64-bit key hash of the distinct-count sketch. Part of the stored format: exact-mode rows
 * hold these hashes and register rows are derived from them, so changing it makes new
 * sketches unmergeable with stored ones (server/core/hll.ts).
 *
 * Two murmur3 x86_32 lanes with different constants over the UTF-16 code units, cross-mixed
 * at the end as murmur3 x86_128 does. Pure JS and no UTF-8 encoding step, so no allocation
 * per key. Writes the high word to out[0] and the low word to out[1].
 */
export function hash64(key: string, out: Uint32Array): void {
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
