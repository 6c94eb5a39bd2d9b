import type { AuditEntry, Prisma, PrismaClient } from "../generated/prisma/client";
import type { AuditAction, AuditEntryView, AuditPage, AuditQuery } from "../contract/auth";

// The audit row writers live with the other adapters, so server/db verbs can audit in their own
// transaction; the web role and the CLI keep importing them from here.
export { recordAudit, recordAuditWith, type Actor, type AuditRecord } from "../db/audit-store";

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
