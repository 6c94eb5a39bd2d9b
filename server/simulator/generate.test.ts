import { describe, expect, it } from "vitest";
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
