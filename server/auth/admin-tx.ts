import type pg from "pg";
import { inTransaction } from "../db/clients";
import type { Actor } from "./audit";

/**
 * Advisory lock every admin change holds for its whole transaction; the trigger of migration
 * 20261202130000_admin_invariants takes the same one. Changes to users and keys are rare, so
 * serializing them all costs nothing and makes every check-then-write atomic.
 */
export const ADMIN_LOCK_ID = 727_220_001;

/** A refused admin change, mapped to an HTTP status once in the route adapter (and by the CLI). */
export class AdminError extends Error {
  override name = "AdminError";
  constructor(
    readonly code: "not_found" | "conflict" | "last_admin" | "self_change" | "actor_revoked",
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** What an admin verb needs: the pool, who acts, and what to tell other processes afterwards. */
export interface AdminContext {
  pool: pg.Pool;
  actor: Actor;
  /** better-auth's password hash (scrypt), so sign-in verifies what the verbs store. */
  hashPassword(password: string): Promise<string>;
  /** After a commit that changed a user's access (role, disabled, password): cut its sockets. */
  onAccessChanged(userId: string): void;
  /** After a commit that revoked a key: every web instance forgets its cached verification. */
  onKeyRevoked(keyId: string): void;
}

/**
 * Runs `work` (checks, writes and the audit row) in one READ COMMITTED transaction under the
 * admin lock, after checking that a user actor is still an active admin: a change that raced
 * with the actor's own disabling or demotion is refused, not applied. Database refusals
 * (duplicate email, the last-admin trigger) come back as AdminError.
 */
export async function adminTransaction<T>(
  ctx: Pick<AdminContext, "pool" | "actor">,
  work: (tx: pg.PoolClient) => Promise<T>,
): Promise<T> {
  try {
    return await inTransaction(ctx.pool, async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock($1)`, [ADMIN_LOCK_ID]);
      if (ctx.actor.kind === "user") await assertStillAdmin(tx, ctx.actor.id);
      return work(tx);
    });
  } catch (error) {
    throw asAdminError(error);
  }
}

async function assertStillAdmin(tx: pg.PoolClient, actorId: string): Promise<void> {
  const { rows } = await tx.query<{ role: string; banned: boolean }>(
    `SELECT role, banned FROM users WHERE id = $1`,
    [actorId],
  );
  const actor = rows[0];
  if (!actor || actor.banned || actor.role !== "admin")
    throw new AdminError(
      "actor_revoked",
      "your admin access was removed in the meantime; nothing was changed",
    );
}

function asAdminError(error: unknown): unknown {
  if (error instanceof AdminError) return error;
  const db = error as { code?: string; constraint?: string };
  if (db.code === "23505" && db.constraint === "users_email_key")
    return new AdminError("conflict", "a user with this email already exists", { cause: error });
  if (db.code === "23514" && db.constraint === "users_one_active_admin")
    return new AdminError("last_admin", "this is the last active admin; make another user admin first", {
      cause: error,
    });
  return error;
}
