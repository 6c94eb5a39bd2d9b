import { randomUUID } from "node:crypto";
import { AlertRuleSpec, type AlertRuleView, type MetricDefinition } from "../contract";
import { checkRule } from "../core/alerting/rule-check";
import type { PrismaClient } from "../generated/prisma/client";
import {
  alertAdminTransaction,
  AlertAdminError,
  audit,
  type AlertAdminContext,
  type PrismaTx,
} from "./admin-tx";

type RuleRow = { id: string; version: number; spec: unknown; createdAt: Date; updatedAt: Date };

/** A stored rule as the API shows it; a spec that no longer parses or evaluates carries `error`. */
export function ruleView(
  row: RuleRow,
  definitions: ReadonlyMap<string, MetricDefinition>,
): AlertRuleView | null {
  const spec = AlertRuleSpec.safeParse(row.spec);
  if (!spec.success) return null;
  const issue = checkRule(spec.data, definitions)[0];
  return {
    id: row.id,
    version: row.version,
    spec: spec.data,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    error: issue ? `${issue.field}: ${issue.message}` : null,
  };
}

export async function listRules(
  prisma: PrismaClient,
  definitions: ReadonlyMap<string, MetricDefinition>,
): Promise<AlertRuleView[]> {
  const rows = await prisma.alertRule.findMany({ orderBy: { name: "asc" } });
  return rows.flatMap((row) => ruleView(row, definitions) ?? []);
}

async function checkReferences(
  tx: PrismaTx,
  spec: AlertRuleSpec,
  definitions: ReadonlyMap<string, MetricDefinition>,
): Promise<void> {
  const issue = checkRule(spec, definitions)[0];
  if (issue) throw new AlertAdminError("invalid", `${issue.field}: ${issue.message}`, issue.field);
  if (spec.channelIds.length === 0) return;
  const found = await tx.alertChannel.findMany({
    where: { id: { in: spec.channelIds } },
    select: { id: true },
  });
  const missing = spec.channelIds.find((id) => !found.some((c) => c.id === id));
  if (missing)
    throw new AlertAdminError("invalid", `channelIds: no channel with id ${missing}`, "channelIds");
}

export async function createRule(
  ctx: AlertAdminContext,
  spec: AlertRuleSpec,
  definitions: ReadonlyMap<string, MetricDefinition>,
): Promise<AlertRuleView> {
  return alertAdminTransaction(ctx, async (tx) => {
    await checkReferences(tx, spec, definitions);
    const id = randomUUID();
    const row = await tx.alertRule.create({ data: { id, name: spec.name, spec, enabled: spec.enabled } });
    await tx.alertRuleVersion.create({ data: { ruleId: id, version: 1, spec, createdBy: ctx.actor.name } });
    await audit(tx, ctx.actor, "alert_rule.create", { type: "alert_rule", id, label: spec.name }, null, spec);
    return viewOrThrow(row, definitions);
  });
}

export async function updateRule(
  ctx: AlertAdminContext,
  id: string,
  spec: AlertRuleSpec,
  definitions: ReadonlyMap<string, MetricDefinition>,
): Promise<AlertRuleView> {
  return alertAdminTransaction(ctx, async (tx) => {
    const before = await tx.alertRule.findUnique({ where: { id } });
    if (!before) throw new AlertAdminError("not_found", `no alert rule with id ${id}`);
    // Disabling a rule whose metric is gone must stay possible: only enabled rules must evaluate.
    if (spec.enabled) await checkReferences(tx, spec, definitions);
    const version = before.version + 1;
    const row = await tx.alertRule.update({
      where: { id },
      data: { name: spec.name, spec, enabled: spec.enabled, version, updatedAt: new Date() },
    });
    await tx.alertRuleVersion.create({ data: { ruleId: id, version, spec, createdBy: ctx.actor.name } });
    await audit(
      tx,
      ctx.actor,
      "alert_rule.update",
      { type: "alert_rule", id, label: spec.name },
      before.spec,
      spec,
    );
    return viewOrThrow(row, definitions);
  });
}

export async function deleteRule(ctx: AlertAdminContext, id: string): Promise<boolean> {
  return alertAdminTransaction(ctx, async (tx) => {
    const before = await tx.alertRule.findUnique({ where: { id } });
    if (!before) return false;
    await tx.alertRule.delete({ where: { id } });
    await audit(
      tx,
      ctx.actor,
      "alert_rule.delete",
      { type: "alert_rule", id, label: before.name },
      before.spec,
      null,
    );
    return true;
  });
}

function viewOrThrow(row: RuleRow, definitions: ReadonlyMap<string, MetricDefinition>): AlertRuleView {
  const view = ruleView(row, definitions);
  if (!view) throw new Error(`stored rule ${row.id} does not parse`);
  return view;
}
