import { describe, expect, it } from "vitest";
import { validatePayload } from "../contract";
import { FraudTrafficGenerator, type LabelledTransaction } from "./fraud-traffic";

const NOW = Date.UTC(2026, 11, 2, 12);

function run(seconds: number, perSecond: number) {
  const gen = new FraudTrafficGenerator(11, "f", {
    customers: 500,
    incidentRate: 0.01,
    travel: 0.03,
    newDevice: 0.02,
  });
  const out: LabelledTransaction[] = [];
  for (let s = 0; s < seconds; s++) for (let i = 0; i < perSecond; i++) out.push(gen.next(NOW + s * 1000));
  return out;
}

describe("FraudTrafficGenerator", () => {
  const sent = run(600, 5);

  it("produces valid transactions with unique ids", () => {
    for (const t of sent) expect(validatePayload(JSON.stringify(t.event), NOW + 700_000).ok).toBe(true);
    expect(new Set(sent.map((t) => t.event.id)).size).toBe(sent.length);
  });

  it("mixes every pattern in, each incident shaped as its pattern says", () => {
    const incidents = new Map<string, LabelledTransaction[]>();
    for (const t of sent)
      if (t.incident) incidents.set(t.incident, [...(incidents.get(t.incident) ?? []), t]);
    const byPattern = (p: string) => [...incidents.values()].filter((ts) => ts[0]?.truth === p);
    expect(byPattern("card_testing").length).toBeGreaterThan(5);
    expect(byPattern("account_takeover").length).toBeGreaterThan(5);
    expect(byPattern("velocity_spike").length).toBeGreaterThan(5);
    for (const burst of byPattern("card_testing")) {
      expect(new Set(burst.map((t) => t.event.attrs.card_id)).size).toBe(1);
      expect(burst.every((t) => (t.event.value ?? 0) <= 3)).toBe(true);
      const span = (burst.at(-1)?.event.ts ?? 0) - (burst[0]?.event.ts ?? 0);
      // Complete bursts (not cut off by the end of the run) lie within a minute.
      if (burst.length >= 6) expect(span).toBeLessThanOrEqual(60_000);
    }
    for (const spike of byPattern("velocity_spike"))
      expect(new Set(spike.map((t) => t.event.attrs.customer_id)).size).toBe(1);
    // Events are sent when due: never before their time.
    const fraudShare = sent.filter((t) => t.truth).length / sent.length;
    expect(fraudShare).toBeLessThan(0.25);
  });

  it("is deterministic for a seed", () => {
    expect(run(20, 5)).toEqual(run(20, 5));
  });
});
