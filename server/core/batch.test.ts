import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MetricDefinition, type ValidEvent } from "../contract";
import { arbDefinition, arbDelivery, FIXED_DEFINITIONS } from "../testing/engine-arbitraries";
import { oracleEventCounts, oracleRollups, rollupKey } from "../testing/metric-oracle";
import { rollupMismatches } from "../testing/oracle-compare";
import { summarize } from "./aggregate-state";
import { planBatch, type ClassifiedEvent } from "./batch";
import { classifyBatch, DEFAULT_TIME_SETTINGS } from "./engine";
import { MINUTE_MS } from "./time";

// The plan commitBatch writes (server/db/event-store.ts) against the independent oracle over
// the same raw events: what the transaction stores is exactly what the contract counts.

const T0 = Date.UTC(2026, 10, 25, 12, 0, 0);

/** One batch as the processor hands it over: classified, each id once. */
function classified(events: readonly ValidEvent[]): ClassifiedEvent[] {
  const unique = [...new Map(events.map((e) => [e.id, e])).values()];
  // A clock far ahead makes some events late and some too late.
  const { lateness } = classifyBatch(
    { maxEventTime: T0 + 25 * MINUTE_MS },
    unique,
    DEFAULT_TIME_SETTINGS,
    T0 + 41 * MINUTE_MS,
  );
  return unique.map((event, i) => ({ event, lateness: lateness[i] ?? "on_time" }));
}

const definitions = fc
  .array(arbDefinition, { maxLength: 3 })
  .map((random) => [
    ...FIXED_DEFINITIONS,
    ...random.map((d, i) => MetricDefinition.parse({ ...d, name: `random_${i}` })),
  ]);

describe("planBatch", () => {
  it("plans exactly the oracle's rollups, event counts and too-late hours", () => {
    const seen = { tooLate: 0, counted: 0 };
    fc.assert(
      fc.property(arbDelivery(T0), definitions, ({ stream }, all) => {
        const batch = classified(stream);
        const plan = planBatch(all, batch);
        const counted = batch.filter((r) => r.lateness !== "too_late").map((r) => r.event);
        const planned = new Map(
          plan.metricDeltas.map((d) => [rollupKey(d.metric, d.bucketStart, d.groupKey), summarize(d.state)]),
        );
        expect(rollupMismatches(oracleRollups(all, counted), planned)).toEqual([]);
        const counts = [...oracleEventCounts(counted).values()].map((row) => ({
          groupKey: row.groupKey,
          bucketStart: row.bucketStart,
          count: row.count,
        }));
        expect(
          plan.eventCounts.map(({ groupKey, bucketStart, count }) => ({ groupKey, bucketStart, count })),
        ).toEqual(expect.arrayContaining(counts));
        expect(plan.eventCounts).toHaveLength(counts.length);
        expect(plan.counted).toBe(counted.length);
        expect(plan.tooLateTimes).toEqual(
          batch.filter((r) => r.lateness === "too_late").map((r) => r.event.ts),
        );
        expect(plan.events).toBe(batch);
        seen.tooLate += plan.tooLateTimes.length;
        seen.counted += plan.counted;
      }),
      { numRuns: 100 },
    );
    // Both kinds occurred, so the property could see one counted as the other.
    expect(seen.tooLate).toBeGreaterThan(0);
    expect(seen.counted).toBeGreaterThan(0);
  });

  it("plans nothing but the too-late hours for a batch of too-late events", () => {
    const event: ValidEvent = {
      id: "x",
      type: "api_request",
      ts: T0,
      v: 1,
      value: 5,
      attrs: { route: "/a" },
    };
    const plan = planBatch(FIXED_DEFINITIONS, [{ event, lateness: "too_late" }]);
    expect(plan).toMatchObject({ counted: 0, tooLateTimes: [T0], eventCounts: [], metricDeltas: [] });
  });
});
