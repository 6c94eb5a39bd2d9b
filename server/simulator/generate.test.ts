import { describe, expect, it } from "vitest";
import { incidentAt } from "./incidents";
import { validatePayload } from "../contract";
import { TrafficGenerator } from "./generate";

const NOW = Date.UTC(2026, 10, 25, 12);

describe("TrafficGenerator", () => {
  it("is deterministic for a seed", () => {
    const a = new TrafficGenerator(7, "r");
    const b = new TrafficGenerator(7, "r");
    for (let i = 0; i < 50; i++) expect(a.next(NOW)).toEqual(b.next(NOW));
  });

  it("produces valid events, duplicates and malformed ones as labelled", () => {
    const gen = new TrafficGenerator(1, "r", {
      duplicate: 0.05,
      outOfOrder: 0.1,
      late: 0.02,
      malformed: 0.05,
    });
    const kinds = { valid: 0, duplicate: 0, malformed: 0 };
    const types = new Set<string>();
    for (let i = 0; i < 4000; i++) {
      const message = gen.next(NOW);
      kinds[message.kind] += 1;
      const result = validatePayload(message.body, NOW);
      if (message.kind === "malformed") expect(result.ok).toBe(false);
      else {
        expect(result.ok, message.body).toBe(true);
        if (result.ok) {
          expect(result.event.type).toBe(message.type);
          expect(result.event.ts).toBeLessThanOrEqual(NOW);
          types.add(result.event.type);
        }
      }
    }
    expect(kinds.duplicate).toBeGreaterThan(100);
    expect(kinds.malformed).toBeGreaterThan(100);
    expect([...types].sort()).toEqual(["api_request", "error", "page_view", "signup", "transaction"]);
  });
});

describe("scripted incidents", () => {
  const apiRequests = (incidents: boolean, at: number) => {
    const gen = new TrafficGenerator(
      3,
      "r",
      { duplicate: 0, outOfOrder: 0, late: 0, malformed: 0 },
      incidents,
    );
    const events = Array.from(
      { length: 4000 },
      () => JSON.parse(gen.next(at).body) as { type: string; value: number; attrs: { status: number } },
    );
    return events.filter((e) => e.type === "api_request");
  };
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  const errorShare = (es: ReturnType<typeof apiRequests>) =>
    es.filter((e) => e.attrs.status >= 500).length / es.length;
  const cycle = Date.UTC(2026, 11, 2, 6, 0, 0); // a multiple of 6 minutes

  it("spike latency from 1:00 to 2:30 of each 6-minute cycle and burst errors from 4:00 to 5:00", () => {
    expect([
      incidentAt(cycle + 59_999),
      incidentAt(cycle + 60_000),
      incidentAt(cycle + 149_999),
      incidentAt(cycle + 150_000),
    ]).toEqual([null, "latency_spike", "latency_spike", null]);
    expect([incidentAt(cycle + 240_000), incidentAt(cycle + 299_999), incidentAt(cycle + 300_000)]).toEqual([
      "error_burst",
      "error_burst",
      null,
    ]);
    const calm = apiRequests(true, cycle + 10_000);
    const spike = apiRequests(true, cycle + 90_000);
    const burst = apiRequests(true, cycle + 250_000);
    expect(median(calm.map((e) => e.value))).toBeLessThan(120);
    expect(median(spike.map((e) => e.value))).toBeGreaterThan(400);
    expect(errorShare(calm)).toBeLessThan(0.04);
    expect(errorShare(burst)).toBeGreaterThan(0.1);
    // Without incidents (tests, benchmarks) the same moments are calm.
    expect(median(apiRequests(false, cycle + 90_000).map((e) => e.value))).toBeLessThan(120);
  });
});
