import { createHash, randomUUID } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { errorText, quoteIdentifier } from "./services-config.ts";

/**
 * Applies the committed Prisma migrations (prisma/migrations/<name>/migration.sql) in order.
 * It keeps Prisma's own `_prisma_migrations` bookkeeping, so `prisma migrate deploy/status`
 * agree with it on machines where the native schema engine can be installed
 * (it cannot be downloaded here: docs/decisions/0002-migrations-without-schema-engine.md).
 */
const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "prisma", "migrations");
const LOCK_ID = 72707369; // the advisory lock id Prisma Migrate uses, so the two never interleave

const BOOKKEEPING = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum" VARCHAR(64) NOT NULL,
  "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL,
  "logs" TEXT,
  "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export class MigrationError extends Error {
  override name = "MigrationError";
}

export async function readMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  return Promise.all(
    names.map(async (name) => {
      const sql = await readFile(path.join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    }),
  );
}

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

/** Which migrations still have to run; refuses a database left half-migrated or edited history. */
export function pendingMigrations(all: Migration[], applied: AppliedRow[]): Migration[] {
  const live = applied.filter((row) => row.rolled_back_at === null);
  const failed = live.find((row) => row.finished_at === null);
  if (failed) {
    throw new MigrationError(
      `migration ${failed.migration_name} failed earlier; fix the database, then mark it rolled back`,
    );
  }
  const byName = new Map(live.map((row) => [row.migration_name, row]));
  for (const migration of all) {
    const row = byName.get(migration.name);
    if (row && row.checksum !== migration.checksum) {
      throw new MigrationError(
        `migration ${migration.name} was edited after it was applied; add a new migration instead`,
      );
    }
  }
  return all.filter((m) => !byName.has(m.name));
}

export async function migrate(
  databaseUrl: string,
  log: (message: string) => void = console.log,
  /** Applies only migrations whose name sorts before this (tests of a migration's own effect). */
  options: { before?: string } = {},
): Promise<void> {
  // Migrations run in UTC like every role's session (docs/decisions/0020); their SQL names its
  // zone anyway wherever a result could depend on it.
  const client = await connectCreatingDatabase(databaseUrl, log);
  try {
    await client.query("SELECT pg_advisory_lock($1)", [LOCK_ID]);
    await client.query(BOOKKEEPING);
    const applied = await client.query<AppliedRow>(
      `SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations"`,
    );
    const pending = pendingMigrations(await readMigrations(), applied.rows).filter(
      (m) => options.before === undefined || m.name < options.before,
    );
    for (const migration of pending) await applyOne(client, migration, log);
    if (pending.length === 0) log("migrate: database is up to date");
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [LOCK_ID]).catch(() => undefined);
    await client.end();
  }
}

const UTC_SESSION = "-c TimeZone=UTC";
const INVALID_CATALOG_NAME = "3D000"; // the database does not exist
const DUPLICATE_DATABASE = "42P04";

/**
 * Connects to the database, creating it first when it does not exist (through the server's
 * `postgres` maintenance database, with the same credentials), so `npm run migrate` alone
 * prepares a new server the way production runs it, without `npm run services`.
 */
export async function connectCreatingDatabase(
  databaseUrl: string,
  log: (message: string) => void,
): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: databaseUrl, options: UTC_SESSION });
  try {
    await client.connect();
    return client;
  } catch (error) {
    await client.end().catch(() => undefined);
    if ((error as { code?: unknown }).code !== INVALID_CATALOG_NAME) throw error;
  }
  await createDatabase(databaseUrl, log);
  const created = new pg.Client({ connectionString: databaseUrl, options: UTC_SESSION });
  await created.connect();
  return created;
}

async function createDatabase(databaseUrl: string, log: (message: string) => void): Promise<void> {
  const url = new URL(databaseUrl);
  const database = decodeURIComponent(url.pathname.replace(/^\//, ""));
  url.pathname = "/postgres";
  const admin = new pg.Client({ connectionString: url.toString() });
  try {
    await admin.connect();
    await admin.query(`CREATE DATABASE ${quoteIdentifier(database)}`);
    log(`migrate: created database "${database}"`);
  } catch (error) {
    // Another migrate (or the services script) created it in the meantime: fine.
    if ((error as { code?: unknown }).code === DUPLICATE_DATABASE) return;
    throw new MigrationError(
      `database "${database}" does not exist and cannot be created: ${errorText(error)}`,
      {
        cause: error,
      },
    );
  } finally {
    await admin.end().catch(() => undefined);
  }
}

async function applyOne(client: pg.Client, migration: Migration, log: (message: string) => void) {
  const id = randomUUID();
  log(`migrate: applying ${migration.name}`);
  try {
    await client.query("BEGIN");
    await client.query(
      `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at) VALUES ($1, $2, $3, now())`,
      [id, migration.checksum, migration.name],
    );
    await client.query(migration.sql);
    await client.query(
      `UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1 WHERE id = $1`,
      [id],
    );
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK");
    throw new MigrationError(`migration ${migration.name} failed: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const url = process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/nowcast";
  migrate(url).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
