import pg from "pg";
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

describe("the BIGINT parser is Nowcast's own, not pg's global one", () => {
  it("better-auth's pool and any other pool (pg-boss builds its own) read BIGINT as pg does", async () => {
    const bigint = "SELECT 9007199254740993::bigint AS n, 7::bigint AS small";
    expect((await db.authPool.query(bigint)).rows[0]).toEqual({ n: "9007199254740993", small: "7" });
    const library = new pg.Pool({ connectionString: database.url, max: 1 });
    try {
      expect((await library.query(bigint)).rows[0]).toEqual({ n: "9007199254740993", small: "7" });
    } finally {
      await library.end();
    }
    expect(pg.types.getTypeParser(pg.types.builtins.INT8)("7")).toBe("7");
  });

  it("Nowcast's pool keeps every other type as pg parses it", async () => {
    const row = (
      await db.pool.query(
        "SELECT 7::int AS i, 1.5::float8 AS f, 2.5::numeric AS d, true AS b, '{1,2}'::int8[] AS a",
      )
    ).rows[0];
    // int8[] is not BIGINT: arrays keep pg's parsing (strings), as before.
    expect(row).toEqual({ i: 7, f: 1.5, d: "2.5", b: true, a: ["1", "2"] });
  });
});
