import fc from "fast-check";

/**
 * Vitest setup (vitest.config.ts, every project): one fixed fast-check seed for every
 * property, so a run is reproducible and a failure replays. fast-check's failure message
 * prints the seed and the counterexample's path; NOWCAST_FC_SEED=<seed> reruns with another
 * seed (to explore, or to replay one printed by a run that used one). Properties must not
 * pass their own `seed`: it would win over this one and ignore the variable.
 */
export const DEFAULT_FC_SEED = 20_261_202;

/** The seed from NOWCAST_FC_SEED, or the fixed default; anything but an integer is refused. */
export function fastCheckSeed(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === "") return DEFAULT_FC_SEED;
  const seed = Number(raw);
  // fast-check takes a 32-bit integer seed.
  if (!Number.isInteger(seed) || seed < -(2 ** 31) || seed >= 2 ** 32)
    throw new Error(`NOWCAST_FC_SEED must be a 32-bit integer, got "${raw}"`);
  return seed;
}

fc.configureGlobal({ seed: fastCheckSeed(process.env.NOWCAST_FC_SEED), verbose: 1 });
