import { randomBytes } from "node:crypto";
import type pg from "pg";
import { Role, type CreateUserRequest, type UpdateUserRequest, type UserView } from "../contract/auth";
import { recordAudit } from "./audit";
import type { Auth } from "./auth";
import type { Principal } from "./roles";

/** A refused admin change, mapped to an HTTP status once in the route handlers. */
export class AdminError extends Error {
  override name = "AdminError";
  constructor(
    readonly code: "not_found" | "conflict" | "last_admin" | "self_change",
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface AdminContext {
  auth: Auth;
  pool: pg.Pool;
  actor: Principal;
  /** The acting admin's request headers: better-auth checks the session again itself. */
  headers: Headers;
  /** Called after a user's access changed (role, disabled, password): live sockets are cut. */
  onAccessChanged(userId: string): void;
}

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

export async function getUser(pool: pg.Pool, id: string): Promise<UserView | null> {
  const { rows } = await pool.query<UserRow>(`${SELECT_USERS} WHERE u.id = $1`, [id]);
  return rows[0] ? toView(rows[0]) : null;
}

const auditFields = (u: UserView) => ({ email: u.email, name: u.name, role: u.role, disabled: u.disabled });

export async function createUser(
  ctx: AdminContext,
  input: CreateUserRequest,
): Promise<{ user: UserView; password: string }> {
  const exists = await ctx.pool.query(`SELECT 1 FROM users WHERE email = $1`, [input.email]);
  if (exists.rowCount) throw new AdminError("conflict", `a user with email ${input.email} already exists`);
  const password = input.password ?? generatePassword();
  const { user: created } = await ctx.auth.api.createUser({
    body: { email: input.email, name: input.name, password, role: input.role },
    headers: ctx.headers,
  });
  const user = await mustGet(ctx.pool, created.id);
  await recordAudit(ctx.pool, ctx.actor, {
    action: "user.create",
    targetType: "user",
    targetId: user.id,
    targetLabel: user.email,
    before: null,
    after: auditFields(user),
  });
  return { user, password };
}

/** Role change and/or disable/enable; disabling revokes the user's sessions at once. */
export async function updateUser(
  ctx: AdminContext,
  id: string,
  change: UpdateUserRequest,
): Promise<UserView> {
  const before = await mustGet(ctx.pool, id);
  const losesAdminPowers = change.disabled === true || (change.role !== undefined && change.role !== "admin");
  if (ctx.actor.id === id && losesAdminPowers)
    throw new AdminError("self_change", "you cannot disable yourself or remove your own admin role");
  if (before.role === "admin" && !before.disabled && losesAdminPowers && (await activeAdmins(ctx.pool)) <= 1)
    throw new AdminError("last_admin", "this is the last active admin; make another user admin first");

  let current = before;
  if (change.role && change.role !== current.role) {
    await ctx.auth.api.setRole({ body: { userId: id, role: change.role }, headers: ctx.headers });
    current = await auditChange(ctx, "user.role", current);
  }
  if (change.disabled !== undefined && change.disabled !== current.disabled) {
    if (change.disabled)
      await ctx.auth.api.banUser({
        body: { userId: id, banReason: `disabled by ${ctx.actor.name}` },
        headers: ctx.headers,
      });
    else await ctx.auth.api.unbanUser({ body: { userId: id }, headers: ctx.headers });
    current = await auditChange(ctx, change.disabled ? "user.disable" : "user.enable", current);
  }
  if (current !== before) ctx.onAccessChanged(id);
  return current;
}

/** Sets a new password (given or generated, returned once) and signs the user out everywhere. */
export async function resetPassword(
  ctx: AdminContext,
  id: string,
  password: string | undefined,
): Promise<{ user: UserView; password: string }> {
  const user = await mustGet(ctx.pool, id);
  const newPassword = password ?? generatePassword();
  await ctx.auth.api.setUserPassword({ body: { userId: id, newPassword }, headers: ctx.headers });
  await ctx.pool.query(`DELETE FROM sessions WHERE user_id = $1`, [id]);
  ctx.onAccessChanged(id);
  await recordAudit(ctx.pool, ctx.actor, {
    action: "user.password_reset",
    targetType: "user",
    targetId: id,
    targetLabel: user.email,
    before: null,
    after: { sessionsRevoked: true },
  });
  return { user, password: newPassword };
}

/** Re-reads the user after a change and records before → after; returns the new state. */
async function auditChange(
  ctx: AdminContext,
  action: "user.role" | "user.disable" | "user.enable",
  before: UserView,
): Promise<UserView> {
  const after = await mustGet(ctx.pool, before.id);
  await recordAudit(ctx.pool, ctx.actor, {
    action,
    targetType: "user",
    targetId: after.id,
    targetLabel: after.email,
    before: auditFields(before),
    after: auditFields(after),
  });
  return after;
}

async function mustGet(pool: pg.Pool, id: string): Promise<UserView> {
  const user = await getUser(pool, id);
  if (!user) throw new AdminError("not_found", `no user with id ${id}`);
  return user;
}

async function activeAdmins(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM users WHERE role = 'admin' AND NOT banned`,
  );
  return rows[0]?.n ?? 0;
}
