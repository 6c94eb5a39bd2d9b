import { randomBytes } from "node:crypto";
import { jetstreamManager } from "@nats-io/jetstream";
import pg from "pg";
import { migrate } from "../../scripts/migrate";
import { connectNats } from "../nats/streams";
import { natsNames } from "../config";
import { DEFAULT_TIME_SETTINGS } from "../core/engine";
import type { ProcessorOptions } from "../processor/processor";

/**
 * Integration-test helpers: every test file gets its own database and NATS namespace so
 * files can run in parallel and clean up only what they made.
 */
export const BASE_DATABASE_URL = process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/nowcast";
export const NATS_URL = process.env.NATS_URL ?? "nats://127.0.0.1:4222";

export function uniqueName(prefix: string): string {
  return `${prefix}_${randomBytes(4).toString("hex")}`;
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/**
 * Default `timezone` of test databases: a half-hour zone, so any SQL whose result follows the
 * session's zone (a bare `date_trunc('hour', ts)`) gives wrong hours in the tests, not in
 * production. Pools from `createDbClients` pin UTC; tests that check the SQL itself pass
 * `sessionTimeZone: null` and run in this zone.
 */
export const TEST_DATABASE_TIME_ZONE = "Asia/Kolkata";

export async function createTestDatabase(
  prefix = "nowcast_t",
  options: { timeZone?: string; migrateBefore?: string } = {},
): Promise<TestDatabase> {
  const name = uniqueName(prefix);
  const admin = new pg.Client({ connectionString: withDatabase(BASE_DATABASE_URL, "postgres") });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  // A per-database setting of a database this test owns (never ALTER SYSTEM).
  await admin.query(
    `ALTER DATABASE "${name}" SET timezone = ${pg.escapeLiteral(options.timeZone ?? TEST_DATABASE_TIME_ZONE)}`,
  );
  await admin.end();
  const url = withDatabase(BASE_DATABASE_URL, name);
  await migrate(url, () => undefined, {
    ...(options.migrateBefore ? { before: options.migrateBefore } : {}),
  });
  return {
    url,
    name,
    async drop() {
      const client = new pg.Client({ connectionString: withDatabase(BASE_DATABASE_URL, "postgres") });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await client.end();
    },
  };
}

/** Deletes the namespace's stream (and with it its consumers). */
export async function deleteNamespace(namespace: string): Promise<void> {
  const nc = await connectNats(NATS_URL, "nowcast-test-cleanup");
  try {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.delete(natsNames(namespace).stream).catch(() => undefined);
  } finally {
    await nc.close();
  }
}

/** Polls `check` until it returns a value that is not undefined, or fails after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  timeoutMs = 15_000,
  what = "condition",
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`, { cause: last });
}

/** Processor options for in-process integration tests: small batches, fast definition reloads. */
export function testProcessorOptions(
  namespace: string,
  overrides: Partial<ProcessorOptions> = {},
): ProcessorOptions {
  return {
    namespace,
    dedupWindowSeconds: 60,
    batchSize: 100,
    batchWaitMs: 20,
    maxInFlight: 500,
    time: DEFAULT_TIME_SETTINGS,
    // Tests publish events minutes in the past at their own pace; tests of the idle advance
    // set a short timeout themselves.
    idleTimeoutMs: 10 * 60_000,
    definitionsRefreshMs: 1000,
    ...overrides,
  };
}
