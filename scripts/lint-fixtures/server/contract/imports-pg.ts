// expect: no-restricted-imports server/contract imports only zod.
import pg from "pg";

export const pool = new pg.Pool();
