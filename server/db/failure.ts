import pg from "pg";

/**
 * How a failed write to Postgres is handled, decided here and nowhere else
 * (docs/decisions/0018):
 * - `rejected`: the data itself cannot be stored and the same rows fail the same way on every
 *   attempt (a NUL in a text value, an unpaired surrogate in jsonb, a value out of range, a
 *   broken constraint, a row past a size limit). The processor isolates the rows that cause
 *   it and dead-letters them.
 * - `transient`: anything else, retried with back-off and nothing dropped: connection lost
 *   (08), serialization failure or deadlock (40), too many connections or disk full (53),
 *   admin shutdown or cancel (57), system errors (58), a unique violation between concurrent
 *   writers (23505), and every error without a SQLSTATE. So is a programming error (42):
 *   dropping events because of a bad deploy would lose them.
 */
export type StorageFailure =
  | { kind: "rejected"; sqlstate: string; message: string }
  | { kind: "transient"; sqlstate: string | null; message: string };

/** SQLSTATE classes whose errors depend on the data written. */
const DATA_CLASSES = new Set(["21", "22", "23", "54"]);
/** Codes in those classes that come from concurrent writers, not from the data. */
const CONCURRENCY_CODES = new Set(["23505", "23P01"]);

function databaseError(error: unknown): pg.DatabaseError | undefined {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof pg.DatabaseError) return e;
  }
  return undefined;
}

export function storageFailure(error: unknown): StorageFailure {
  const db = databaseError(error);
  const message = error instanceof Error ? error.message : String(error);
  const sqlstate = db?.code ?? null;
  if (db && sqlstate && DATA_CLASSES.has(sqlstate.slice(0, 2)) && !CONCURRENCY_CODES.has(sqlstate))
    return { kind: "rejected", sqlstate, message: db.message };
  return { kind: "transient", sqlstate, message };
}

/** A database error as a twin adapter throws it (unit tests of the pipeline). */
export function databaseErrorOf(sqlstate: string, message: string): pg.DatabaseError {
  const error = new pg.DatabaseError(message, message.length, "error");
  error.code = sqlstate;
  return error;
}
