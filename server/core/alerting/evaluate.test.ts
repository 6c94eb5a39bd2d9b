import { describe, expect, it } from "vitest";
import { AlertRuleSpec, type AlertRuleSpecInput } from "../../contract";
import { evaluate, initialInstance, type InstanceState } from "./evaluate";

const T0 = Date.UTC(2026, 10, 1, 12, 0, 0);
const MIN = 60_000;

const rule = (over: Partial<AlertRuleSpecInput> = {}) =>
  AlertRuleSpec.parse({
    name: "latency",
    subject: { kind: "metric", metric: "api_latency", statistic: "avg" },
    windowMs: MIN,
    condition: { kind: "threshold", op: ">", threshold: 500 },
    ...over,
  });

/** Runs [seconds after T0, window position index, value, volume?] evaluations; returns states. */
function run(r: AlertRuleSpec, steps: Array<[number, number, number | null, number?]>, lastDataAt?: number) {
  let state: InstanceState = initialInstance(T0);
  const seen: string[] = [];
  for (const [s, p, value, volume] of steps) {
    const now = T0 + s * 1000;
    const sample = {
      position: T0 + p * MIN,
      value,
      volume: volume ?? 100,
      lastDataAt: lastDataAt ?? now,
      buckets: [],
    };
    const out = evaluate(r, state, { kind: "sample", sample }, now);
    state = out.state;
    seen.push(state.state);
  }
  return seen;
}

describe("alert evaluation", () => {
  it("fires at once without a pending period and resolves without keep-firing", () => {
    expect(
      run(rule(), [
        [0, 0, 400],
        [1, 0, 600],
        [2, 0, 450],
      ]),
    ).toEqual(["normal", "firing", "normal"]);
  });

  it("hysteresis: firing stays until the value is past the recovery threshold", () => {
    const r = rule({ recoveryThreshold: 300, keepFiringMs: 0 });
    expect(
      run(r, [
        [0, 0, 600],
        [1, 0, 450],
        [2, 0, 350],
        [3, 0, 300],
      ]),
    ).toEqual(["firing", "firing", "firing", "normal"]);
  });

  it("pending: the breach must hold for the whole pending period", () => {
    const r = rule({ pendingMs: 10_000 });
    expect(
      run(r, [
        [0, 0, 600],
        [5, 0, 600],
        [9, 0, 400],
        [10, 0, 600],
        [19, 0, 600],
        [20, 0, 600],
      ]),
    ).toEqual(["pending", "pending", "normal", "pending", "pending", "firing"]);
  });

  it("keep firing for: recovering until clear for the period, a new breach fires again", () => {
    const r = rule({ keepFiringMs: 30_000 });
    expect(
      run(r, [
        [0, 0, 600],
        [10, 0, 100],
        [30, 0, 700],
        [40, 0, 100],
        [69, 0, 100],
        [70, 0, 100],
      ]),
    ).toEqual(["firing", "recovering", "firing", "recovering", "recovering", "normal"]);
  });

  it("N of M counts window positions; re-evaluating one position replaces its verdict", () => {
    const r = rule({ nOfM: { n: 2, m: 3 } });
    // Position 0 is evaluated twice (an open bucket updated): still one breach. Positions 0 and 2
    // breach → 2 of the last 3 → fires at position 2.
    expect(
      run(r, [
        [0, 0, 600],
        [1, 0, 600],
        [2, 1, 100],
        [3, 2, 600],
        [4, 3, 100],
      ]),
    ).toEqual(["normal", "normal", "normal", "firing", "normal"]);
  });

  it("minimum volume: below it the instance is insufficient_data, never firing", () => {
    const r = rule({ minVolume: 20 });
    expect(
      run(r, [
        [0, 0, 900, 19],
        [1, 0, 900, 20],
        [2, 1, 900, 3],
      ]),
    ).toEqual(["insufficient_data", "firing", "insufficient_data"]);
  });

  it("an open window still below the minimum volume is not judged yet (no insufficient_data blip)", () => {
    const r = rule({ minVolume: 20 });
    const at = (state: InstanceState, volume: number, bucketState: "open" | "final", value = 900) =>
      evaluate(
        r,
        state,
        {
          kind: "sample",
          sample: {
            position: T0,
            value,
            volume,
            lastDataAt: T0,
            buckets: [{ start: T0, state: bucketState }],
          },
        },
        T0 + 1000,
      );
    const firing = at(initialInstance(T0), 50, "open").state;
    expect(firing.state).toBe("firing");
    expect(at(firing, 3, "open")).toEqual({ state: firing, transitions: [] });
    expect(at(firing, 3, "final").state.state).toBe("insufficient_data");
  });

  it("no data after the given silence, and back once data arrives", () => {
    const r = rule({ noDataMs: 60_000 });
    let state = initialInstance(T0);
    const at = (s: number, lastDataAt: number, value: number) =>
      (state = evaluate(
        r,
        state,
        { kind: "sample", sample: { position: T0, value, volume: 5, lastDataAt, buckets: [] } },
        T0 + s * 1000,
      ).state).state;
    expect(at(10, T0, 100)).toBe("normal");
    expect(at(59, T0, 100)).toBe("normal");
    expect(at(60, T0, 100)).toBe("no_data");
    expect(at(61, T0 + 61_000, 100)).toBe("normal");
  });

  it("records the value, threshold and buckets that caused a transition, and ignores older positions", () => {
    const r = rule({ recoveryThreshold: 300 });
    const sample = (p: number, value: number) => ({
      position: T0 + p * MIN,
      value,
      volume: 10,
      lastDataAt: T0,
      buckets: [{ start: T0 + p * MIN, state: "open" as const }],
    });
    const fired = evaluate(r, initialInstance(T0), { kind: "sample", sample: sample(1, 700) }, T0 + 1000);
    expect(fired.transitions).toEqual([
      {
        from: "normal",
        to: "firing",
        at: T0 + 1000,
        value: 700,
        threshold: 500,
        position: T0 + MIN,
        buckets: [{ start: T0 + MIN, state: "open" }],
        reason: null,
      },
    ]);
    const stale = evaluate(r, fired.state, { kind: "sample", sample: sample(0, 0) }, T0 + 2000);
    expect(stale.transitions).toEqual([]);
    const resolved = evaluate(r, fired.state, { kind: "sample", sample: sample(1, 200) }, T0 + 3000);
    expect(resolved.transitions[0]).toMatchObject({
      from: "firing",
      to: "normal",
      threshold: 300,
      value: 200,
    });
  });

  it("an error (metric disabled) is a state with its reason; recovery re-evaluates from normal", () => {
    const r = rule();
    const err = evaluate(r, initialInstance(T0), { kind: "error", reason: 'metric "x" is disabled' }, T0);
    expect(err.state).toMatchObject({ state: "error", reason: 'metric "x" is disabled' });
    expect(err.transitions[0]).toMatchObject({
      from: "normal",
      to: "error",
      reason: 'metric "x" is disabled',
    });
    const back = evaluate(
      r,
      err.state,
      { kind: "sample", sample: { position: T0, value: 900, volume: 1, lastDataAt: T0, buckets: [] } },
      T0 + 1,
    );
    expect(back.transitions[0]).toMatchObject({ from: "error", to: "firing" });
  });
});
