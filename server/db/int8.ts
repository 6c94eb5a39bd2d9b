import pg from "pg";

/** A BIGINT too large to be read as a JS number without changing it. */
export class Int8RangeError extends Error {
  override name = "Int8RangeError";
}

/**
 * Reads a Postgres BIGINT (counts, totals, sequences) as a number, or refuses it: beyond
 * ±(2^53 − 1) a double would silently round it, so the query fails instead of a count being off.
 */
export function parseInt8(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value))
    throw new Int8RangeError(
      `BIGINT ${text} is beyond ±9007199254740991: it cannot be read as a number exactly`,
    );
  return value;
}

/**
 * The type parsers of Nowcast's own pools and clients: BIGINT as an exact number, everything
 * else as pg parses it. Given per pool (`types`), never set globally with pg.types.setTypeParser,
 * so pg-boss and better-auth read their results as they expect (docs/decisions/0025).
 */
export const nowcastTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === pg.types.builtins.INT8 && format !== "binary"
      ? parseInt8
      : pg.types.getTypeParser(oid, format ?? "text")) as pg.CustomTypesConfig["getTypeParser"],
};
