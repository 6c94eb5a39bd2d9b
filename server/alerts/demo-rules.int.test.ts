import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AlertRuleSpec } from "../contract";
import { checkRule } from "../core/alerting/rule-check";
import { createDbClients, type DbClients } from "../db/clients";
import { loadDefinitions } from "../db/metric-definitions";
import { createTestDatabase, type TestDatabase } from "../testing/harness";
import { DEMO_RULES, seedDemoRules } from "./demo-rules";

let database: TestDatabase;
let db: DbClients;

beforeAll(async () => {
  database = await createTestDatabase();
  db = createDbClients(database.url, { max: 2 });
});
afterAll(async () => {
  await db?.close();
  await database?.drop();
});

describe("the demo's alert rules", () => {
  it("refer only to metrics the migrations seed, and are created once", async () => {
    const { definitions } = await loadDefinitions(db.pool);
    const byName = new Map(definitions.map((d) => [d.name, d]));
    for (const rule of DEMO_RULES) {
      expect({ rule: rule.name, issues: checkRule(AlertRuleSpec.parse(rule), byName) }).toEqual({
        rule: rule.name,
        issues: [],
      });
    }
    expect(await seedDemoRules(db.prisma, byName)).toBe(DEMO_RULES.length);
    expect(await seedDemoRules(db.prisma, byName)).toBe(0);
    const stored = await db.prisma.alertRule.findMany({ orderBy: { name: "asc" } });
    expect(stored.map((r) => r.name)).toEqual(
      ["API error rate", "API p95 latency", "Data age", "Dead letters per minute", "Fraud flag rate"].sort(),
    );
  });
});
