import type pg from "pg";
import { Prisma, type AuditEntry, type PrismaClient } from "../generated/prisma/client";
import type { AuditAction, AuditEntryView, AuditPage, AuditQuery } from "../contract/auth";

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

/** Prisma's `contains` is LIKE underneath and does not escape: `%` and `_` are matched literally. */
const containing = (text: string) => ({ contains: escapeLike(text), mode: "insensitive" as const });

/** Newest first, filtered; `before` continues from an earlier page (Prisma: a plain CRUD read). */
export async function queryAudit(prisma: PrismaClient, query: AuditQuery): Promise<AuditPage> {
  const where: Prisma.AuditEntryWhereInput[] = [];
  if (query.actor) where.push({ actorEmail: containing(query.actor) });
  if (query.action) where.push({ action: query.action });
  if (query.target)
    where.push({ OR: [{ targetLabel: containing(query.target) }, { targetId: query.target }] });
  if (query.from) where.push({ at: { gte: query.from } });
  if (query.to) where.push({ at: { lt: query.to } });
  if (query.before) where.push({ id: { lt: BigInt(query.before) } });
  const rows = await prisma.auditEntry.findMany({
    where: { AND: where },
    orderBy: { id: "desc" },
    take: query.limit + 1,
  });
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    entries: page.map(toView),
    nextBefore: rows.length > query.limit && last ? Number(last.id) : null,
  };
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

function toView(row: AuditEntry): AuditEntryView {
  return {
    id: String(row.id),
    at: row.at.toISOString(),
    actorEmail: row.actorEmail,
    action: row.action as AuditAction,
    targetType: row.targetType,
    targetId: row.targetId,
    targetLabel: row.targetLabel,
    before: row.before,
    after: row.after,
  };
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
