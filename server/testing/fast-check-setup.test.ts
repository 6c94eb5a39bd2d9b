import { globSync, readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEFAULT_FC_SEED, fastCheckSeed } from "./fast-check-setup";

describe("fast-check runs with one fixed seed", () => {
  it("is configured for every test file by the vitest setup", () => {
    expect(fc.readConfigureGlobal().seed).toBe(fastCheckSeed(process.env.NOWCAST_FC_SEED));
  });

  it("prints the seed when a property fails", () => {
    expect(() => fc.assert(fc.property(fc.nat(), (n) => n < 10))).toThrow(
      `seed: ${fc.readConfigureGlobal().seed}`,
    );
  });

  it.each([
    [undefined, DEFAULT_FC_SEED],
    ["", DEFAULT_FC_SEED],
    ["42", 42],
    ["-7", -7],
  ])("NOWCAST_FC_SEED=%j → %i", (raw, seed) => {
    expect(fastCheckSeed(raw)).toBe(seed);
  });

  it.each(["abc", "1.5", "4294967296"])("refuses NOWCAST_FC_SEED=%j", (raw) => {
    expect(() => fastCheckSeed(raw)).toThrow(`NOWCAST_FC_SEED must be a 32-bit integer, got "${raw}"`);
  });
});

describe("no property test pins a seed of its own", () => {
  // A local `seed` wins over the global one: NOWCAST_FC_SEED would silently not apply there.
  const PINNED = /\bseed:\s*(?!number\b|string\b)[\w-]/;
  const files = globSync("{server,scripts,components}/**/*.test.{ts,tsx}").filter((file) =>
    readFileSync(file, "utf8").includes('from "fast-check"'),
  );

  it("finds the property test files", () => {
    expect(files.length).toBeGreaterThanOrEqual(8);
  });

  it.each(files)("%s", (file) => {
    const pinned = readFileSync(file, "utf8")
      .split("\n")
      .flatMap((line, i) => (PINNED.test(line) ? [`${i + 1}: ${line.trim()}`] : []));
    expect(pinned).toEqual([]);
  });
});
