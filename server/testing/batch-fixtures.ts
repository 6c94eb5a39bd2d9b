import type pg from "pg";
import type { MetricDefinition, ValidEvent } from "../contract";
import { classifyBatch, DEFAULT_TIME_SETTINGS, type Clock } from "../core/engine";
import { commitBatch } from "../db/event-store";
import type { SeededRandom } from "./seeded-random";

/**
 * Batch-layer fixtures: seeded api_request/page_view events at chosen times, committed through
 * the processor's own transaction (`commitBatch`: lateness verdicts, raw insert, rollups,
 * checkpoint) without NATS, so integration tests control event time exactly.
 */
const ROUTES = ["/api/orders", "/api/search", "/api/login"];
const PATHS = ["/", "/pricing", "/docs"];

export function eventsAt(random: SeededRandom, times: readonly number[], prefix: string): ValidEvent[] {
  return times.map((ts, i): ValidEvent =>
    random.chance(0.6)
      ? {
          id: `${prefix}-${i}`,
          type: "api_request",
          ts,
          v: 1,
          value: Math.round((5 + random.next() * random.next() * 800) * 100) / 100,
          attrs: {
            route: random.pick(ROUTES),
            method: "GET",
            status: random.chance(0.1) ? 503 : 200,
            region: "eu-west",
          },
        }
      : {
          id: `${prefix}-${i}`,
          type: "page_view",
          ts,
          v: 1,
          attrs: {
            path: random.pick(PATHS),
            country: random.pick(["DE", "IN"]),
            user_id: `u${random.int(1, 40)}`,
          },
        },
  );
}

/**
 * Commits events in delivery order, in batches, as one processor would; returns its clock.
 * `now` is the processing time (default: the latest event time, as if processed right after).
 */
export async function streamEvents(
  pool: pg.Pool,
  definitions: readonly MetricDefinition[],
  events: readonly ValidEvent[],
  clock: Clock = { maxEventTime: null },
  consumer = "test_processor",
  batchSize = 50,
  now: number = events.reduce((latest, e) => Math.max(latest, e.ts), clock.maxEventTime ?? 0),
): Promise<{ clock: Clock; tooLate: number }> {
  let current = clock;
  let tooLate = 0;
  for (let i = 0; i < events.length; i += batchSize) {
    const batch = events.slice(i, i + batchSize);
    const classified = classifyBatch(current, batch, DEFAULT_TIME_SETTINGS, now);
    current = classified.clock;
    const result = await commitBatch(pool, {
      consumer,
      streamSeq: i + batch.length,
      events: batch.map((event, j) => ({ event, lateness: classified.lateness[j] ?? "on_time" })),
      deadLetters: [],
      receivedAt: Date.now(),
      clock: current,
      definitions,
    });
    tooLate = result.tooLateTotal;
  }
  return { clock: current, tooLate };
}
