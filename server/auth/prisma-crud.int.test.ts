import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuditEntryView } from "../contract/auth";
import { createDbClients, type DbClients } from "../db/clients";
import { createTestDatabase, type TestDatabase } from "../testing/harness";
import { createApiKey, listApiKeys } from "./api-keys";
import { queryAudit, recordAudit, recordAuditWith, type Actor, type AuditRecord } from "./audit";

// The CRUD reads that moved to Prisma (docs/decisions/0025), checked against expectations
// computed here from the rows this file wrote, not from the code under test.

let database: TestDatabase;
let db: DbClients;

const admin: Actor = { kind: "system", name: "cli" };
const LABELS = ["50%_off@example.com", "50xxoff@example.com", "Under_Score", "UNDERxSCORE", "plain"];

const record = (label: string, action: AuditRecord["action"] = "user.create"): AuditRecord => ({
  action,
  targetType: "user",
  targetId: `id-${label}`,
  targetLabel: label,
  before: null,
  after: { label },
});

beforeAll(async () => {
  database = await createTestDatabase();
  db = createDbClients(database.url, { max: 2 });
  for (const label of LABELS) await recordAudit(db.pool, admin, record(label));
  await recordAudit(
    db.pool,
    { kind: "user", id: "u1", name: "Alice@Example.com" },
    record("plain", "user.role"),
  );
});
afterAll(async () => {
  await db?.close();
  await database?.drop();
});

const labels = (entries: AuditEntryView[]) => entries.map((e) => e.targetLabel).sort();

describe("audit log read through Prisma", () => {
  it("matches % and _ in a filter literally, case-insensitively", async () => {
    const query = { limit: 50 } as const;
    expect(labels((await queryAudit(db.prisma, { ...query, target: "50%_off" })).entries)).toEqual([
      "50%_off@example.com",
    ]);
    expect(labels((await queryAudit(db.prisma, { ...query, target: "under_score" })).entries)).toEqual([
      "Under_Score",
    ]);
    const byActor = await queryAudit(db.prisma, { ...query, actor: "alice@" });
    expect(byActor.entries.map((e) => [e.actorEmail, e.action])).toEqual([
      ["Alice@Example.com", "user.role"],
    ]);
    // A target also matches its exact id.
    expect(labels((await queryAudit(db.prisma, { ...query, target: "id-UNDERxSCORE" })).entries)).toEqual([
      "UNDERxSCORE",
    ]);
  });

  it("pages newest first without gaps or repeats", async () => {
    const seen: string[] = [];
    let before: number | undefined;
    for (;;) {
      const page = await queryAudit(db.prisma, { limit: 4, ...(before ? { before } : {}) });
      seen.push(...page.entries.map((e) => e.id));
      if (page.nextBefore === null) break;
      before = page.nextBefore;
    }
    const ids = (await db.pool.query<{ id: number }>("SELECT id FROM audit_log ORDER BY id DESC")).rows;
    expect(seen).toEqual(ids.map((row) => String(row.id)));
  });

  it("a change made with Prisma commits with its audit row, or neither does", async () => {
    const count = async () =>
      (await db.pool.query<{ n: number }>("SELECT count(*) AS n FROM audit_log")).rows[0]?.n;
    const before = await count();
    await expect(
      db.prisma.$transaction(async (tx) => {
        await recordAuditWith(tx, admin, record("rolled-back"));
        throw new Error("the change failed");
      }),
    ).rejects.toThrow("the change failed");
    expect(await count()).toBe(before);
    await db.prisma.$transaction((tx) => recordAuditWith(tx, admin, record("committed")));
    const stored = await queryAudit(db.prisma, { limit: 1, target: "committed" });
    expect(stored.entries[0]).toMatchObject({ actorEmail: "cli", targetLabel: "committed", before: null });
    expect(stored.entries[0]?.after).toEqual({ label: "committed" });
  });
});

describe("API key list read through Prisma", () => {
  it("lists live keys first, newest first within each group, with the creator's email", async () => {
    const created = [];
    for (const name of ["k1", "k2", "k3", "k4"]) {
      created.push((await createApiKey(db.pool, { name, scope: "read", createdBy: null })).view);
      // Distinct creation times, so "newest first" has one answer.
      await db.pool.query(
        "UPDATE api_keys SET created_at = now() - ($1 || ' minutes')::interval WHERE name = $2",
        [String(10 - created.length), name],
      );
    }
    await db.pool.query("UPDATE api_keys SET revoked_at = now() WHERE name IN ('k2', 'k4')");
    const listed = await listApiKeys(db.prisma);
    expect(listed.map((k) => [k.name, k.revokedAt !== null])).toEqual([
      ["k3", false],
      ["k1", false],
      ["k4", true],
      ["k2", true],
    ]);
    expect(listed.every((k) => k.createdBy === null && !("keyHash" in k))).toBe(true);
  });
});
