import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { BASE_DATABASE_URL, uniqueName } from "../server/testing/harness";
import { migrate, readMigrations } from "./migrate.ts";

// `npm run migrate` on a server that does not have Nowcast's database yet, as production runs
// it before the first role starts (no `npm run services`, no demo).
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const created: string[] = [];

function urlOf(database: string): string {
  const url = new URL(BASE_DATABASE_URL);
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
}

async function onServer<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: urlOf("postgres") });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

const databaseExists = (name: string) =>
  onServer(
    async (c) => (await c.query("SELECT 1 FROM pg_database WHERE datname = $1", [name])).rowCount === 1,
  );

async function appliedMigrations(database: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: urlOf(database) });
  await client.connect();
  try {
    const rows = await client.query<{ migration_name: string }>(
      `SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL ORDER BY migration_name`,
    );
    return rows.rows.map((r) => r.migration_name);
  } finally {
    await client.end();
  }
}

afterAll(async () => {
  for (const name of created) {
    await onServer((c) => c.query(`DROP DATABASE IF EXISTS "${name.replaceAll('"', '""')}" WITH (FORCE)`));
  }
});

describe("npm run migrate on a server without the database", () => {
  it("creates the database (a name that needs quoting too), then applies every migration", async () => {
    const name = `${uniqueName("nowcast_mig")}-New`;
    created.push(name);
    expect(await databaseExists(name)).toBe(false);
    const logs: string[] = [];

    await migrate(urlOf(name), (m) => logs.push(m));

    expect(await databaseExists(name)).toBe(true);
    expect(logs[0]).toBe(`migrate: created database "${name}"`);
    const expected = (await readMigrations()).map((m) => m.name).sort();
    expect(await appliedMigrations(name)).toEqual(expected);

    const again: string[] = [];
    await migrate(urlOf(name), (m) => again.push(m));
    expect(again).toEqual(["migrate: database is up to date"]);
  });

  it("works as the command itself: DATABASE_URL naming a missing database, exit code 0", async () => {
    const name = uniqueName("nowcast_migcli");
    created.push(name);
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/migrate.ts"], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: urlOf(name) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));

    expect({ code, output }).toMatchObject({ code: 0 });
    expect(output).toContain(`migrate: created database "${name}"`);
    expect((await appliedMigrations(name)).length).toBe((await readMigrations()).length);
  });
});
