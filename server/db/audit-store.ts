import type pg from "pg";
import type { AuditAction } from "../contract/auth";
import { Prisma } from "../generated/prisma/client";

/** Who made an admin change: a signed-in admin, or a command run on a server (`cli`, `seed`). */
export type Actor = { kind: "user"; id: string; name: string } | { kind: "system"; name: "cli" | "seed" };

export interface AuditRecord {
  action: AuditAction;
  targetType:
    | "user"
    | "api_key"
    | "alert_rule"
    | "alert_channel"
    | "alert_silence"
    | "fraud_rule_set"
    | "fraud_decision";
  targetId: string;
  targetLabel: string;
  before: unknown;
  after: unknown;
}

/** Stores one admin change. Secrets (passwords, keys) are never part of before/after. */
export async function recordAudit(
  pool: pg.Pool | pg.PoolClient,
  actor: Actor,
  record: AuditRecord,
): Promise<void> {
  await pool.query(
    `INSERT INTO audit_log (actor_id, actor_email, action, target_type, target_id, target_label, before, after)
     VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8::jsonb)`,
    [
      actor.kind === "user" ? actor.id : null,
      actor.name,
      record.action,
      record.targetType,
      record.targetId,
      record.targetLabel,
      record.before === null ? null : JSON.stringify(record.before),
      record.after === null ? null : JSON.stringify(record.after),
    ],
  );
}

/**
 * Stores one admin change inside a Prisma transaction (`prisma.$transaction`), for the CRUD
 * that uses Prisma: the change and its audit row commit together or not at all.
 */
export async function recordAuditWith(
  tx: Prisma.TransactionClient,
  actor: Actor,
  record: AuditRecord,
): Promise<void> {
  await tx.auditEntry.create({
    data: {
      actorId: actor.kind === "user" ? actor.id : null,
      actorEmail: actor.name,
      action: record.action,
      targetType: record.targetType,
      targetId: record.targetId,
      targetLabel: record.targetLabel,
      before: jsonOrNull(record.before),
      after: jsonOrNull(record.after),
    },
  });
}

function jsonOrNull(value: unknown): Prisma.InputJsonValue | typeof Prisma.DbNull {
  return value === null || value === undefined ? Prisma.DbNull : (value as Prisma.InputJsonValue);
}
