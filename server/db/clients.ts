import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "../generated/prisma/client";
import { nowcastTypes } from "./int8";

export interface DbClients {
  /**
   * Shared pool: the hot path writes through it with set-based SQL. BIGINT reads as an exact
   * number on it (int8.ts), and only on it and the other pools built with `nowcastTypes`.
   */
  pool: pg.Pool;
  /**
   * A small pool with pg's default parsing, for better-auth: a library gets the results it was
   * written for (BIGINT as a string), not Nowcast's. Opens connections only when used.
   */
  authPool: pg.Pool;
  /** Prisma over the same pool, for CRUD. */
  prisma: PrismaClient;
  close(): Promise<void>;
}

/** Server-side session setting that makes every connection's `TimeZone` the given zone. */
export const sessionTimeZoneOption = (zone: string) => `-c TimeZone=${zone}`;

export function createDbClients(
  databaseUrl: string,
  options: {
    max?: number;
    appName?: string;
    /**
     * `TimeZone` of every session (default UTC). Defence in depth only: the SQL itself never
     * depends on it (docs/decisions/0020). `null` keeps the database's own setting (tests).
     */
    sessionTimeZone?: string | null;
  } = {},
): DbClients {
  const zone = options.sessionTimeZone === undefined ? "UTC" : options.sessionTimeZone;
  const common = {
    connectionString: databaseUrl,
    connectionTimeoutMillis: 5_000,
    ...(zone === null ? {} : { options: sessionTimeZoneOption(zone) }),
  };
  const appName = options.appName ?? "nowcast";
  const pool = new pg.Pool({
    ...common,
    max: options.max ?? 10,
    application_name: appName,
    types: nowcastTypes,
  });
  const authPool = new pg.Pool({ ...common, max: 3, application_name: `${appName}-auth` });
  // An idle client that loses its server must not crash the process; the next query reconnects.
  pool.on("error", () => undefined);
  authPool.on("error", () => undefined);
  // Prisma parses its own results (the adapter passes its own type parsers with every query).
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  return {
    pool,
    authPool,
    prisma,
    async close() {
      await prisma.$disconnect();
      await Promise.all([pool.end(), authPool.end()].map((ended) => ended.catch(() => undefined)));
    },
  };
}

/** Runs `work` in one transaction on one pooled connection. */
export async function inTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
  mode = "BEGIN",
): Promise<T> {
  const client = await pool.connect();
  // pg-pool removes its 'error' listener while a client is checked out. When the server ends
  // the connection mid-transaction, pg fails the pending query and then also emits 'error'
  // on the client: without a listener that is an uncaught exception that kills the process.
  let lost: Error | undefined;
  const onError = (error: Error) => {
    lost ??= error;
  };
  client.on("error", onError);
  try {
    await client.query(mode);
    const result = await work(client);
    await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch((rollbackError: unknown) => {
      lost ??= rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
    });
    throw error;
  } finally {
    client.removeListener("error", onError);
    // A client whose connection failed is discarded instead of going back into the pool.
    client.release(lost);
  }
}
