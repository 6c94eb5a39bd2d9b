import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../testing/harness";
import { createDbClients, type DbClients } from "./clients";
import { Int8RangeError, parseInt8 } from "./int8";

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

describe("BIGINT columns read as numbers only while exact", () => {
  it.each(["9007199254740992", "9007199254740993", "-9007199254740993", "9223372036854775807"])(
    "%s is refused, not rounded",
    (text) => {
      expect(() => parseInt8(text)).toThrow(Int8RangeError);
    },
  );

  it("a query returning such a count fails; the pool keeps working", async () => {
    const exact = await db.pool.query<{ n: number }>("SELECT 9007199254740991::bigint AS n");
    expect(exact.rows[0]?.n).toBe(Number.MAX_SAFE_INTEGER);
    await expect(db.pool.query("SELECT 9007199254740993::bigint AS n")).rejects.toThrow(Int8RangeError);
    const after = await db.pool.query<{ n: number }>(
      "SELECT sum(x)::bigint AS n FROM generate_series(1, 10) x",
    );
    expect(after.rows[0]?.n).toBe(55);
  });
});
