import type pg from "pg";
import type { PgBoss, QueueOptions } from "pg-boss";

/**
 * pg-boss's own schema (`<ns>_boss`): our queues in it, and the way over from pg-boss 10.
 *
 * pg-boss 11 rewrote its tables (schema version 25), and pg-boss 11 and 12 refuse to start on
 * the schema pg-boss 10 left (version 24): its release notes say to move jobs over yourself.
 * Nothing in that schema is the only copy of anything Nowcast needs (run history is in our
 * `job_runs`, and the planner re-derives every compaction and reconciliation from the tables),
 * so the scheduler renames it to `<ns>_boss_legacy`, lets pg-boss create a fresh schema,
 * re-sends the jobs that were still waiting (hand-forced ones would not be planned again), and
 * drops the old schema. Each step is idempotent, so a start interrupted halfway finishes the
 * move on the next start.
 */
export const FIRST_SUPPORTED_VERSION = 25;
const WAITING_STATES = ["created", "retry", "active"];

export class BossSchemaError extends Error {
  override name = "BossSchemaError";
}

/** The schema a pg-boss 10 schema is moved to while its jobs are carried over. */
export function legacySchemaName(schema: string): string {
  return `${schema}_legacy`;
}

/** A validated, quoted identifier (schema names come from the validated namespace). */
function quoted(schema: string): string {
  if (!/^[a-z][a-z0-9_]{0,62}$/.test(schema))
    throw new BossSchemaError(`invalid pg-boss schema name ${schema}`);
  return `"${schema}"`;
}

/** The pg-boss schema version installed in `schema`, or null when there is none. */
export async function installedVersion(db: pg.Pool | pg.ClientBase, schema: string): Promise<number | null> {
  const table = await db.query<{ present: boolean }>(
    `SELECT to_regclass(format('%I.version', $1::text)) IS NOT NULL AS present`,
    [schema],
  );
  if (!table.rows[0]?.present) return null;
  const rows = await db.query<{ version: number }>(`SELECT version FROM ${quoted(schema)}.version`);
  return rows.rows[0]?.version ?? null;
}

/**
 * Moves a pg-boss 10 schema out of pg-boss 12's way (before `boss.start()`); returns whether
 * it did. Serialised with other starting schedulers by an advisory lock.
 */
export async function retireLegacySchema(pool: pg.Pool, schema: string): Promise<boolean> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    await client.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`nowcast:pg-boss-upgrade:${schema}`]);
    const version = await installedVersion(client, schema);
    if (version === null || version >= FIRST_SUPPORTED_VERSION) {
      await client.query("COMMIT");
      return false;
    }
    const legacy = legacySchemaName(schema);
    const taken = await client.query(`SELECT 1 FROM pg_namespace WHERE nspname = $1`, [legacy]);
    if (taken.rowCount !== 0) {
      throw new BossSchemaError(
        `${schema} holds a pg-boss schema of version ${version} and ${legacy} exists too: ` +
          `a pg-boss 10 process recreated it after the upgrade; stop it, then drop one of them`,
      );
    }
    await client.query(`ALTER SCHEMA ${quoted(schema)} RENAME TO ${quoted(legacy)}`);
    await client.query("COMMIT");
    return true;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/**
 * Re-sends the waiting jobs of our queues from a retired pg-boss 10 schema (after the queues
 * exist in the new one), then drops it. Returns how many jobs were carried over, or null when
 * there was no retired schema. The queues' policy and singleton keys drop repeats.
 */
export async function carryOverLegacyJobs(
  pool: pg.Pool,
  boss: PgBoss,
  schema: string,
  queues: readonly string[],
): Promise<number | null> {
  const legacy = legacySchemaName(schema);
  if ((await installedVersion(pool, legacy)) === null) return null;
  const waiting = await pool.query<{ name: string; data: object | null; singleton_key: string | null }>(
    `SELECT name, data, singleton_key FROM ${quoted(legacy)}.job
     WHERE state::text = ANY($1) AND name = ANY($2) ORDER BY created_on`,
    [WAITING_STATES, queues],
  );
  for (const job of waiting.rows) {
    await boss.send(job.name, job.data ?? {}, job.singleton_key ? { singletonKey: job.singleton_key } : {});
  }
  await pool.query(`DROP SCHEMA ${quoted(legacy)} CASCADE`);
  return waiting.rowCount ?? 0;
}

/**
 * Creates our queues, or brings their retry settings up to date. pg-boss 12 cannot change a
 * queue's policy after creation, so a queue with another policy is an error, not a silent change.
 */
export async function ensureQueues(
  boss: PgBoss,
  names: readonly string[],
  policy: "stately",
  settings: QueueOptions,
): Promise<void> {
  for (const name of names) {
    const existing = await boss.getQueue(name);
    if (existing === null) {
      await boss.createQueue(name, { policy, ...settings });
    } else if (existing.policy !== policy) {
      throw new BossSchemaError(
        `pg-boss queue ${name} has policy ${String(existing.policy)}, not ${policy}: ` +
          `delete it (boss.deleteQueue) while no jobs wait in it, and the scheduler recreates it`,
      );
    } else {
      await boss.updateQueue(name, settings);
    }
  }
}
