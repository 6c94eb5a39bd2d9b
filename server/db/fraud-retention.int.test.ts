// Retention of the fraud feature state: decisions older than RETENTION_FRAUD_DAYS go in slices,
// with their labels and outbox rows; customer days before the cutoff day go; everything at or
// after the cutoff stays. The database runs in a zone other than UTC.
import { defaultRetention } from "../config";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DAY_MS } from "../core/fraud/features";
import { retentionCutoffs } from "../core/retention";
import { createTestDatabase, type TestDatabase } from "../testing/harness";
import { createDbClients, type DbClients } from "./clients";
import { decideBatch } from "./fraud-decide";
import { approvedItem } from "../testing/fraud-items";
import { applyRetention } from "./retention-store";

let database: TestDatabase;
let db: DbClients;

beforeAll(async () => {
  database = await createTestDatabase("nowcast_tfraudret");
  db = createDbClients(database.url, { max: 2 });
});
afterAll(async () => {
  await db?.close();
  await database?.drop();
});

const NOW = Date.UTC(2026, 11, 2, 15, 30);
const POLICY = defaultRetention();

const item = (id: string, at: number, customer: string) =>
  approvedItem(
    { id, ts: at, amount: 10, card: `card-${id}`, customer, device: null, country: "DE", merchant: "m" },
    { decidedAt: at },
  );

describe("fraud retention", () => {
  it("deletes decisions, labels, outbox rows and customer days older than the cutoff, and nothing newer", async () => {
    const cutoff = retentionCutoffs(NOW, POLICY).fraud.getTime();
    expect(cutoff).toBe(Date.UTC(2025, 9, 28)); // 400 days before 2026-12-02, aligned to the UTC day
    await decideBatch(db.pool, [
      item("old-a", cutoff - DAY_MS - 1, "u-old"),
      item("old-b", cutoff - 1, "u-edge"),
      item("old-c", cutoff - 5 * DAY_MS, "u-old"),
      item("at-cutoff", cutoff, "u-edge"),
      item("recent", NOW - 60_000, "u-new"),
    ]);
    await db.pool.query(
      `INSERT INTO fraud_labels (decision_id, label, labeled_by) VALUES ('old-b', 'fraud', 'analyst'), ('recent', 'legitimate', 'analyst')`,
    );
    // A slice of 1: the loop must go round until nothing old is left.
    const result = await applyRetention(db.pool, retentionCutoffs(NOW, POLICY), 1);
    // u-old had two days before the cutoff, u-edge one (the day before the cutoff day).
    expect(result).toMatchObject({ fraudDecisions: 3, fraudCustomerDays: 3 });
    const { rows } = await db.pool.query<{ what: string; keys: string[] }>(
      `SELECT 'decisions' AS what, array_agg(id ORDER BY id) AS keys FROM fraud_decisions
       UNION ALL SELECT 'labels', array_agg(decision_id ORDER BY decision_id) FROM fraud_labels
       UNION ALL SELECT 'outbox', array_agg(id ORDER BY id) FROM fraud_outbox
       UNION ALL SELECT 'days', array_agg(customer_id || ' ' || day::text ORDER BY customer_id, day) FROM fraud_customer_days`,
    );
    expect(Object.fromEntries(rows.map((r) => [r.what, r.keys]))).toEqual({
      decisions: ["at-cutoff", "recent"],
      labels: ["recent"],
      outbox: ["at-cutoff", "recent"],
      days: ["u-edge 2025-10-28", "u-new 2026-12-02"],
    });
  });
});
