/**
 * A small seeded PRNG (mulberry32) so a failing randomized test can be replayed with the
 * same inputs and timings: print the seed, rerun with NOWCAST_TEST_SEED=<seed>.
 */
export interface SeededRandom {
  readonly seed: number;
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [min, max] (both inclusive). */
  int(min: number, max: number): number;
  /** True with probability `p`. */
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
}

export function seededRandom(seed: number): SeededRandom {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  return {
    seed,
    next,
    int,
    chance: (p) => next() < p,
    pick<T>(items: readonly T[]): T {
      const item = items[int(0, items.length - 1)];
      if (item === undefined) throw new Error("pick from an empty list");
      return item;
    },
  };
}

/** The seed from NOWCAST_TEST_SEED, or `fallback`. */
export function testSeed(fallback: number): number {
  const raw = process.env.NOWCAST_TEST_SEED;
  if (raw === undefined || raw === "") return fallback;
  const seed = Number(raw);
  if (!Number.isSafeInteger(seed)) throw new Error(`NOWCAST_TEST_SEED must be an integer, got "${raw}"`);
  return seed;
}
