import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MetricDefinition, type ValidEvent } from "../contract";
import { summarize } from "../core/aggregate-state";
import type { BatchCommit } from "../core/batch";
import type { Lateness } from "../core/engine";
import { createTestDatabase, type TestDatabase } from "../testing/harness";
import { createDbClients, type DbClients } from "./clients";
import { commitBatch } from "./event-store";
import { stateFromRow } from "./rollup-store";

// commitBatch plans a batch's deltas before its transaction (docs/decisions/0026); when the
// batch repeats stored ids, the plan is dropped and made again for the new ones. These
// batches take that path; the expected figures are counted by hand from the events.

const T0 = Date.UTC(2026, 10, 25, 12, 0, 0);
const ev = (id: string, ts: number, value: number, route: string): ValidEvent => ({
  id,
  type: "api_request",
  ts,
  v: 1,
  value,
  attrs: { route, method: "GET", status: 200 },
});
const row = (event: ValidEvent, lateness: Lateness = "on_time") => ({ event, lateness });
const latency = MetricDefinition.parse({
  name: "latency",
  eventType: "api_request",
  aggregation: "p95",
  groupBy: "route",
});

let database: TestDatabase;
let db: DbClients;

beforeAll(async () => {
  database = await createTestDatabase();
  db = createDbClients(database.url, { max: 4 });
});
afterAll(async () => {
  await db?.close();
  await database?.drop();
});

const base: Omit<BatchCommit, "events" | "streamSeq"> = {
  consumer: "c1",
  receivedAt: T0,
  deadLetters: [],
  clock: { maxEventTime: T0 + 3000 },
  definitions: [latency],
};

async function latencySummary(group: string) {
  const result = await db.pool.query(
    `SELECT count, sum, min, max, quantiles, distinct_sketch FROM metric_rollups WHERE metric = 'latency' AND group_key = $1`,
    [group],
  );
  return summarize(stateFromRow(result.rows[0]));
}

describe("commitBatch when the plan made before the transaction does not hold", () => {
  it("stores the first batch", async () => {
    const first = await commitBatch(db.pool, {
      ...base,
      streamSeq: 1,
      events: [row(ev("a", T0 + 1000, 10, "/a")), row(ev("b", T0 + 2000, 30, "/a"))],
    });
    expect(first).toMatchObject({ batchSeq: 1, total: 2 });
  });

  it("counts only the new events of a batch that repeats stored ids (planned again outside the transaction)", async () => {
    const result = await commitBatch(db.pool, {
      ...base,
      streamSeq: 4,
      // "a" and "b" were stored by the first test; "c" and "d" are new, "d" too late to count.
      events: [
        row(ev("a", T0 + 1000, 10, "/a")),
        row(ev("c", T0 + 1500, 5, "/r")),
        row(ev("b", T0 + 2000, 30, "/a")),
      ].concat([row(ev("d", T0 - 3_600_000, 7, "/r"), "too_late")]),
    });
    expect(result.inserted.map((r) => r.event.id)).toEqual(["c", "d"]);
    expect(result).toMatchObject({ batchSeq: 2, total: 4, tooLateTotal: 1 });
    expect(result.buckets.map((b) => [b.groupKey, b.state.count])).toEqual([
      ["", 3],
      ["/r", 1],
    ]);
    expect(await latencySummary("/r")).toMatchObject({ count: 1, sum: 5 });
  });

  it("two consumers racing over the same new ids count each id once", async () => {
    const ids = Array.from({ length: 50 }, (_, i) => `race${i}`);
    const events = ids.map((id, i) => row(ev(id, T0 + 6000 + i, 1, "/race")));
    // Overlapping halves: ids 10…39 are in both batches, committed at the same time.
    const [one, two] = await Promise.all([
      commitBatch(db.pool, { ...base, consumer: "racer1", streamSeq: 1, events: events.slice(0, 40) }),
      commitBatch(db.pool, { ...base, consumer: "racer2", streamSeq: 1, events: events.slice(10) }),
    ]);
    const stored = [...(one?.inserted ?? []), ...(two?.inserted ?? [])].map((r) => r.event.id).sort();
    expect(stored).toEqual([...ids].sort());
    expect(await latencySummary("/race")).toMatchObject({ count: 50, sum: 50 });
  });
});
