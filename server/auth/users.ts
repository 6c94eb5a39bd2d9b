import { randomBytes, randomUUID } from "node:crypto";
import type pg from "pg";
import { Me, Role, type CreateUserRequest, type UpdateUserRequest, type UserView } from "../contract/auth";
import type { PrismaClient } from "../generated/prisma/client";
import { adminTransaction, AdminError, type AdminContext } from "./admin-tx";
import { recordAudit, type AuditRecord } from "./audit";

export { AdminError, type AdminContext } from "./admin-tx";

/**
 * The only code that changes users. Each verb's checks, writes and audit row are one transaction
 * under the admin lock (admin-tx.ts), written here in SQL rather than through better-auth's
 * admin API, whose writes cannot join our transaction (docs/decisions/0022).
 */

/** A generated password: 18 random bytes, URL-safe, 24 characters. */
export function generatePassword(): string {
  return randomBytes(18).toString("base64url");
}

interface UserRow {
  id: string;
  name: string;
  email: string;
  role: string;
  banned: boolean;
  created_at: Date;
  last_seen_at: Date | null;
}

const SELECT_USERS = `
SELECT u.id, u.name, u.email, u.role, u.banned, u.created_at,
       (SELECT max(s.updated_at) FROM sessions s WHERE s.user_id = u.id) AS last_seen_at
FROM users u`;

function toView(row: UserRow): UserView {
  return {
    id: row.id,
    name: row.name,
    email: row.email,
    role: Role.catch("viewer").parse(row.role),
    disabled: row.banned,
    createdAt: row.created_at.toISOString(),
    lastSeenAt: row.last_seen_at?.toISOString() ?? null,
  };
}

export async function listUsers(pool: pg.Pool): Promise<UserView[]> {
  const { rows } = await pool.query<UserRow>(`${SELECT_USERS} ORDER BY u.email`);
  return rows.map(toView);
}

export async function getUser(
  db: pg.Pool | pg.PoolClient,
  id: string,
  lock = false,
): Promise<UserView | null> {
  const { rows } = await db.query<UserRow>(
    `${SELECT_USERS} WHERE u.id = $1${lock ? " FOR UPDATE OF u" : ""}`,
    [id],
  );
  return rows[0] ? toView(rows[0]) : null;
}

/** The id of the user with this email (case-insensitive), or null. */
export async function findUserId(pool: pg.Pool, email: string): Promise<string | null> {
  const { rows } = await pool.query<{ id: string }>(`SELECT id FROM users WHERE email = $1`, [
    email.toLowerCase(),
  ]);
  return rows[0]?.id ?? null;
}

const auditFields = (u: UserView) => ({ email: u.email, name: u.name, role: u.role, disabled: u.disabled });
const userRecord = (
  user: UserView,
  action: AuditRecord["action"],
  before: unknown,
  after: unknown,
): AuditRecord => ({
  action,
  targetType: "user",
  targetId: user.id,
  targetLabel: user.email,
  before,
  after,
});

/** Creates a user with a password (given or generated, returned once); a taken email is a conflict. */
export async function createUser(
  ctx: AdminContext,
  input: CreateUserRequest,
): Promise<{ user: UserView; password: string }> {
  const password = input.password ?? generatePassword();
  // Hashing (scrypt) happens before the lock is taken, so it never holds other admins up.
  const hash = await ctx.hashPassword(password);
  const user = await adminTransaction(ctx, async (tx) => {
    const id = randomUUID();
    await tx.query(`INSERT INTO users (id, name, email, role) VALUES ($1, $2, $3, $4)`, [
      id,
      input.name,
      input.email,
      input.role,
    ]);
    await tx.query(
      `INSERT INTO accounts (id, user_id, account_id, provider_id, password) VALUES ($1, $2, $2, 'credential', $3)`,
      [randomUUID(), id, hash],
    );
    const created = await mustGet(tx, id);
    await recordAudit(tx, ctx.actor, userRecord(created, "user.create", null, auditFields(created)));
    return created;
  });
  return { user, password };
}

/**
 * Role change and/or disable/enable. Disabling deletes the user's sessions in the same
 * transaction. Refused: an admin disabling or demoting itself, or removing the last active admin.
 */
export async function updateUser(
  ctx: AdminContext,
  id: string,
  change: UpdateUserRequest,
): Promise<UserView> {
  const { before, after } = await adminTransaction(ctx, async (tx) => {
    const target = await mustGet(tx, id, true);
    const losesAdmin = change.disabled === true || (change.role !== undefined && change.role !== "admin");
    if (ctx.actor.kind === "user" && ctx.actor.id === id && losesAdmin)
      throw new AdminError("self_change", "you cannot disable yourself or remove your own admin role");
    if (target.role === "admin" && !target.disabled && losesAdmin && (await otherActiveAdmins(tx, id)) === 0)
      throw new AdminError("last_admin", "this is the last active admin; make another user admin first");
    let current = target;
    if (change.role && change.role !== current.role) {
      await tx.query(`UPDATE users SET role = $2, updated_at = now() WHERE id = $1`, [id, change.role]);
      current = await audited(tx, ctx, "user.role", current);
    }
    if (change.disabled !== undefined && change.disabled !== current.disabled) {
      await setDisabled(tx, id, change.disabled, ctx.actor.name);
      current = await audited(tx, ctx, change.disabled ? "user.disable" : "user.enable", current);
    }
    return { before: target, after: current };
  });
  if (after !== before) ctx.onAccessChanged(id);
  return after;
}

/** Sets a new password (given or generated, returned once) and signs the user out everywhere. */
export async function resetPassword(
  ctx: AdminContext,
  id: string,
  password: string | undefined,
): Promise<{ user: UserView; password: string }> {
  const newPassword = password ?? generatePassword();
  const hash = await ctx.hashPassword(newPassword);
  const user = await adminTransaction(ctx, async (tx) => {
    const target = await mustGet(tx, id, true);
    const updated = await tx.query(
      `UPDATE accounts SET password = $2, updated_at = now() WHERE user_id = $1 AND provider_id = 'credential'`,
      [id, hash],
    );
    if (!updated.rowCount)
      await tx.query(
        `INSERT INTO accounts (id, user_id, account_id, provider_id, password) VALUES ($1, $2, $2, 'credential', $3)`,
        [randomUUID(), id, hash],
      );
    await tx.query(`DELETE FROM sessions WHERE user_id = $1`, [id]);
    await recordAudit(
      tx,
      ctx.actor,
      userRecord(target, "user.password_reset", null, { sessionsRevoked: true }),
    );
    return target;
  });
  ctx.onAccessChanged(id);
  return { user, password: newPassword };
}

async function setDisabled(tx: pg.PoolClient, id: string, disabled: boolean, by: string): Promise<void> {
  if (!disabled) {
    await tx.query(
      `UPDATE users SET banned = false, ban_reason = NULL, ban_expires = NULL, updated_at = now() WHERE id = $1`,
      [id],
    );
    return;
  }
  // better-auth's sign-in refuses banned users (admin plugin); no expiry: only an admin enables.
  await tx.query(
    `UPDATE users SET banned = true, ban_reason = $2, ban_expires = NULL, updated_at = now() WHERE id = $1`,
    [id, `disabled by ${by}`],
  );
  await tx.query(`DELETE FROM sessions WHERE user_id = $1`, [id]);
}

/** Re-reads the user after a change and records before → after; returns the new state. */
async function audited(
  tx: pg.PoolClient,
  ctx: AdminContext,
  action: "user.role" | "user.disable" | "user.enable",
  before: UserView,
): Promise<UserView> {
  const after = await mustGet(tx, before.id);
  await recordAudit(tx, ctx.actor, userRecord(after, action, auditFields(before), auditFields(after)));
  return after;
}

async function mustGet(tx: pg.PoolClient, id: string, lock = false): Promise<UserView> {
  const user = await getUser(tx, id, lock);
  if (!user) throw new AdminError("not_found", `no user with id ${id}`);
  return user;
}

async function otherActiveAdmins(tx: pg.PoolClient, id: string): Promise<number> {
  const { rows } = await tx.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM users WHERE role = 'admin' AND NOT banned AND id <> $1`,
    [id],
  );
  return rows[0]?.n ?? 0;
}

/** The signed-in user's own record (`GET /api/me`), or null once the user is gone (Prisma: a CRUD read). */
export async function findMe(prisma: PrismaClient, id: string): Promise<Me | null> {
  const user = await prisma.user.findUnique({
    where: { id },
    select: { id: true, name: true, email: true, role: true },
  });
  if (!user) return null;
  // The role column's CHECK constraint admits only the contract's roles.
  return Me.parse(user);
}
