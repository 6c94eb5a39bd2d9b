// Instance writes against real Postgres: compare-and-set on seq, one event per write, an
// acknowledgement that stops repeats and is cleared by the next transition.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { initialInstance, type InstanceState, type Transition } from "../core/alerting/evaluate";
import { createTestDatabase, type TestDatabase } from "../testing/harness";
import { acknowledge, loadInstances, writeInstance, type InstanceWrite } from "./alert-instances";
import { createDbClients, type DbClients } from "./clients";

const T0 = Date.UTC(2026, 11, 2, 7, 0, 0);
let database: TestDatabase;
let db: DbClients;

const memory = (state: InstanceState["state"]): InstanceState => ({ ...initialInstance(T0), state });
const transition = (from: Transition["from"], to: Transition["to"], at: number): Transition => ({
  from,
  to,
  at,
  value: 1,
  threshold: 0,
  position: T0,
  buckets: [],
  reason: null,
});
const write = (expectedSeq: number, kind: "transition" | "repeat", t: Transition): InstanceWrite => ({
  ruleId: "r1",
  ruleVersion: 1,
  group: "",
  expectedSeq,
  memory: memory(t.to),
  event: {
    kind,
    transition: t,
    silenced: false,
    channelIds: [],
    payload: () => {
      throw new Error("no channels");
    },
  },
});

beforeAll(async () => {
  database = await createTestDatabase();
  db = createDbClients(database.url, { max: 2 });
  await db.pool.query(`INSERT INTO alert_rules (id, name, spec) VALUES ('r1', 'rule', '{}')`);
});

afterAll(async () => {
  await db?.close();
  await database?.drop();
});

describe("alert instance writes", () => {
  it("compare-and-set on seq; an acknowledgement stops repeats until the next transition", async () => {
    expect(
      (await writeInstance(db.pool, write(0, "transition", transition("normal", "firing", T0)))).ok,
    ).toBe(true);
    // A second writer that read seq 0 too loses: nothing is stored twice.
    expect(
      (await writeInstance(db.pool, write(0, "transition", transition("normal", "firing", T0)))).ok,
    ).toBe(false);
    expect(
      await acknowledge(db.pool, {
        ruleId: "r1",
        group: "",
        by: "viewer@example.com",
        note: "on it",
        at: T0 + 1,
      }),
    ).toBe("firing");
    expect(
      (await writeInstance(db.pool, write(1, "repeat", transition("firing", "firing", T0 + 60_000)))).ok,
    ).toBe(false);
    expect((await loadInstances(db.pool, ["r1"]))[0]).toMatchObject({ seq: 1, acknowledged: true });
    expect(
      (await writeInstance(db.pool, write(1, "transition", transition("firing", "normal", T0 + 90_000)))).ok,
    ).toBe(true);
    expect((await loadInstances(db.pool, ["r1"]))[0]).toMatchObject({ seq: 2, acknowledged: false });
    const { rows } = await db.pool.query<{ seq: number; kind: string; to_state: string }>(
      `SELECT seq, kind, to_state FROM alert_events ORDER BY at, kind DESC`,
    );
    expect(rows).toEqual([
      { seq: 1, kind: "transition", to_state: "firing" },
      { seq: 1, kind: "acknowledge", to_state: "firing" },
      { seq: 2, kind: "transition", to_state: "normal" },
    ]);
  });
});
