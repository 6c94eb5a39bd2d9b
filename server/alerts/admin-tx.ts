import { recordAuditWith, type Actor } from "../auth/audit";
import { ADMIN_LOCK_ID } from "../auth/admin-tx";
import type { AuditAction } from "../contract/auth";
import type { Prisma, PrismaClient } from "../generated/prisma/client";

export type PrismaTx = Prisma.TransactionClient;

/** A refused alerting change; the route adapter maps `code` to HTTP once. `field` names the input. */
export class AlertAdminError extends Error {
  override name = "AlertAdminError";
  constructor(
    readonly code: "invalid" | "not_found" | "conflict" | "actor_revoked",
    message: string,
    readonly field?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface AlertAdminContext {
  prisma: PrismaClient;
  actor: Actor;
  /** Opens sealed channel secrets and seals new ones (server/alerts/crypto.ts). */
  masterSecret: string;
}

/**
 * Every rule, channel and silence change: checks, writes and its audit row in one Prisma
 * transaction under the admin lock, after re-checking that the actor is still an admin
 * (as docs/decisions/0022 does for users). A unique-name clash becomes a 409.
 */
export async function alertAdminTransaction<T>(
  ctx: AlertAdminContext,
  work: (tx: PrismaTx) => Promise<T>,
): Promise<T> {
  try {
    return await ctx.prisma.$transaction(async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${ADMIN_LOCK_ID}::bigint)`;
      if (ctx.actor.kind === "user") {
        const actor = await tx.user.findUnique({
          where: { id: ctx.actor.id },
          select: { role: true, banned: true },
        });
        if (!actor || actor.banned || actor.role !== "admin")
          throw new AlertAdminError(
            "actor_revoked",
            "your admin access was removed in the meantime; nothing was changed",
          );
      }
      return work(tx);
    });
  } catch (error) {
    const db = error as { code?: string; meta?: unknown };
    if (db.code === "P2002")
      throw new AlertAdminError("conflict", "the name is already taken", "name", { cause: error });
    throw error;
  }
}

/** The audit row of one alerting change, in the change's own transaction. */
export function audit(
  tx: PrismaTx,
  actor: Actor,
  action: AuditAction,
  target: { type: "alert_rule" | "alert_channel" | "alert_silence"; id: string; label: string },
  before: unknown,
  after: unknown,
): Promise<void> {
  return recordAuditWith(tx, actor, {
    action,
    targetType: target.type,
    targetId: target.id,
    targetLabel: target.label,
    before,
    after,
  });
}
