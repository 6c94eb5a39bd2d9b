import type pg from "pg";
import type { AuditAction, AuditEntryView, AuditPage, AuditQuery } from "../contract/auth";

/** Who made an admin change: a signed-in admin, or a command run on a server (`cli`, `seed`). */
export type Actor = { kind: "user"; id: string; name: string } | { kind: "system"; name: "cli" | "seed" };

export interface AuditRecord {
  action: AuditAction;
  targetType: "user" | "api_key" | "fraud_rule_set" | "fraud_decision";
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

interface AuditRow {
  id: number;
  at: Date;
  actor_email: string;
  action: AuditAction;
  target_type: string;
  target_id: string;
  target_label: string;
  before: unknown;
  after: unknown;
}

/** Newest first, filtered; `before` continues from an earlier page. */
export async function queryAudit(pool: pg.Pool, query: AuditQuery): Promise<AuditPage> {
  const where: string[] = [];
  const params: unknown[] = [];
  // Each `?` takes the next value as a numbered parameter.
  const add = (sql: string, ...values: unknown[]) => {
    let next = 0;
    where.push(sql.replace(/\?/g, () => `$${params.push(values[next++])}`));
  };
  if (query.actor) add("actor_email ILIKE ?", `%${escapeLike(query.actor)}%`);
  if (query.action) add("action = ?", query.action);
  if (query.target)
    add("(target_label ILIKE ? OR target_id = ?)", `%${escapeLike(query.target)}%`, query.target);
  if (query.from) add("at >= ?", query.from);
  if (query.to) add("at < ?", query.to);
  if (query.before) add("id < ?", query.before);
  let sql = `SELECT id, at, actor_email, action, target_type, target_id, target_label, before, after FROM audit_log`;
  if (where.length > 0) sql += ` WHERE ${where.join(" AND ")}`;
  params.push(query.limit + 1);
  sql += ` ORDER BY id DESC LIMIT $${params.length}`;
  const { rows } = await pool.query<AuditRow>(sql, params);
  const page = rows.slice(0, query.limit);
  return {
    entries: page.map(toView),
    nextBefore: rows.length > query.limit ? (page.at(-1)?.id ?? null) : null,
  };
}

function toView(row: AuditRow): AuditEntryView {
  return {
    id: String(row.id),
    at: row.at.toISOString(),
    actorEmail: row.actor_email,
    action: row.action,
    targetType: row.target_type,
    targetId: row.target_id,
    targetLabel: row.target_label,
    before: row.before,
    after: row.after,
  };
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
