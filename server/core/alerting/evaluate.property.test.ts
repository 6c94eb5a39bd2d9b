import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AlertRuleSpec, type AlertRuleSpecInput } from "../../contract";
import { referenceTransitions, type RefInput } from "../../testing/alert-reference";
import { evaluate, initialInstance, type InstanceState, type Transition } from "./evaluate";

const T0 = Date.UTC(2026, 10, 1, 12, 0, 0);

const ruleArb = fc
  .record({
    op: fc.constantFrom(">", ">=", "<", "<=") as fc.Arbitrary<">" | ">=" | "<" | "<=">,
    threshold: fc.integer({ min: 3, max: 7 }),
    band: fc.option(fc.integer({ min: 0, max: 3 }), { nil: null }),
    pendingMs: fc.constantFrom(0, 0, 2_000, 5_000),
    keepFiringMs: fc.constantFrom(0, 0, 3_000, 10_000),
    n: fc.integer({ min: 1, max: 3 }),
    extra: fc.integer({ min: 0, max: 2 }),
    minVolume: fc.constantFrom(0, 0, 5),
    noDataMs: fc.constantFrom(null, null, 20_000),
  })
  .map((r) => {
    const above = r.op === ">" || r.op === ">=";
    const input: AlertRuleSpecInput = {
      name: "property",
      subject: { kind: "metric", metric: "m", statistic: "avg" },
      windowMs: 60_000,
      condition: { kind: "threshold", op: r.op, threshold: r.threshold },
      recoveryThreshold: r.band === null ? null : above ? r.threshold - r.band : r.threshold + r.band,
      pendingMs: r.pendingMs,
      keepFiringMs: r.keepFiringMs,
      nOfM: { n: r.n, m: r.n + r.extra },
      minVolume: r.minVolume,
      noDataMs: r.noDataMs,
    };
    return AlertRuleSpec.parse(input);
  });

/** A stream of evaluations: time moves 0–4 s, the window sometimes moves one bucket on, sometimes a stale one. */
const stepArb = fc.record({
  // Half-second steps, so evaluations land exactly on pending and keep-firing boundaries.
  dt: fc.integer({ min: 0, max: 8 }).map((k) => k * 500),
  move: fc.constantFrom(0, 0, 1, 1, -1),
  value: fc.option(fc.integer({ min: 0, max: 10 }), { nil: null, freq: 8 }),
  volume: fc.integer({ min: 0, max: 20 }),
  silentFor: fc.constantFrom(0, 0, 0, 0, 20_000, 30_000),
  open: fc.boolean(),
});
type Step = {
  dt: number;
  move: number;
  value: number | null;
  volume: number;
  silentFor: number;
  open: boolean;
};

function inputsOf(steps: readonly Step[]): RefInput[] {
  let now = T0;
  let position = T0;
  const out: RefInput[] = [];
  for (const raw of steps) {
    now += raw.dt;
    const p = position + raw.move * 60_000;
    if (raw.move >= 0) position = p;
    out.push({
      now,
      sample: {
        position: p,
        value: raw.value,
        volume: raw.volume,
        lastDataAt: now - raw.silentFor,
        buckets: [{ start: p, state: raw.open ? "open" : "final" }],
      },
    });
  }
  return out;
}

function streamed(rule: AlertRuleSpec, inputs: RefInput[]): Transition[] {
  let state: InstanceState = initialInstance(T0);
  const all: Transition[] = [];
  for (const input of inputs) {
    const result = evaluate(
      rule,
      state,
      "error" in input ? { kind: "error", reason: input.error } : { kind: "sample", sample: input.sample },
      input.now,
    );
    state = result.state;
    all.push(...result.transitions);
  }
  return all;
}

describe("alert evaluation against the brute-force reference", () => {
  it("streams the same transitions as the reference for random rules and series", () => {
    fc.assert(
      fc.property(ruleArb, fc.array(stepArb, { minLength: 1, maxLength: 80 }), (rule, steps) => {
        const inputs = inputsOf(steps);
        const got = streamed(rule, inputs).map(({ from, to, at }) => ({ from, to, at }));
        expect(got).toEqual(referenceTransitions(rule, inputs));
      }),
      { numRuns: 400 },
    );
  });

  it("errors interleaved anywhere agree too, and every transition leaves the state it came from", () => {
    fc.assert(
      fc.property(
        ruleArb,
        fc.array(fc.tuple(stepArb, fc.boolean()), { minLength: 1, maxLength: 60 }),
        (rule, pairs) => {
          const inputs = inputsOf(pairs.map(([s]) => s)).map((input, i): RefInput =>
            pairs[i]?.[1] && i % 7 === 3 ? { now: input.now, error: "metric disabled" } : input,
          );
          const got = streamed(rule, inputs);
          expect(got.map(({ from, to, at }) => ({ from, to, at }))).toEqual(
            referenceTransitions(rule, inputs),
          );
          got.forEach((t, i) => {
            expect(t.from).not.toBe(t.to);
            if (i > 0) expect(t.from).toBe(got[i - 1]?.to);
          });
        },
      ),
      { numRuns: 200 },
    );
  });
});
