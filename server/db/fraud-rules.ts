import type { FraudLabel, FraudRuleSet, FraudRuleSetVersion } from "../contract/fraud";
import { FraudRuleSet as FraudRuleSetSchema } from "../contract/fraud";
import type { PrismaClient } from "../generated/prisma/client";
import { recordAuditWith, type Actor } from "./audit-store";

export type { Actor };

/** A refused fraud admin change, mapped to HTTP once in the route adapter. */
export class FraudAdminError extends Error {
  override name = "FraudAdminError";
  constructor(
    readonly code: "conflict" | "not_found",
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

type RuleRow = { version: number; rules: unknown; note: string; createdBy: string; createdAt: Date };
const toVersion = (r: RuleRow): FraudRuleSetVersion => ({
  version: r.version,
  // Rows are validated where they enter the app: a stored set that no longer parses is a bug.
  ruleSet: FraudRuleSetSchema.parse(r.rules),
  note: r.note,
  createdBy: r.createdBy,
  createdAt: r.createdAt.toISOString(),
});

/** One stored version, or the newest when `version` is null; null when none is stored. */
export async function loadRuleSet(
  prisma: PrismaClient,
  version: number | null,
): Promise<FraudRuleSetVersion | null> {
  const row =
    version === null
      ? await prisma.fraudRuleSet.findFirst({ orderBy: { version: "desc" } })
      : await prisma.fraudRuleSet.findUnique({ where: { version } });
  return row ? toVersion(row) : null;
}

/** Stores `set` as version 1 unless some version exists (a fresh installation's default). */
export async function seedRuleSet(prisma: PrismaClient, set: FraudRuleSet): Promise<void> {
  await prisma.fraudRuleSet.createMany({
    data: [{ version: 1, rules: set, note: "default rules", createdBy: "seed" }],
    skipDuplicates: true,
  });
}

export async function listRuleSets(prisma: PrismaClient, limit = 20): Promise<FraudRuleSetVersion[]> {
  const rows = await prisma.fraudRuleSet.findMany({ orderBy: { version: "desc" }, take: limit });
  return rows.map(toVersion);
}

/**
 * Saves the next version, audited in the same transaction. `baseVersion` must be the newest:
 * two admins editing at once cannot silently overwrite each other (the second gets a conflict,
 * and the primary key refuses a concurrent insert of the same version).
 */
export async function saveRuleSet(
  prisma: PrismaClient,
  actor: Actor,
  input: { baseVersion: number; ruleSet: FraudRuleSet; note: string },
): Promise<FraudRuleSetVersion> {
  try {
    return await prisma.$transaction(async (tx) => {
      const newest = await tx.fraudRuleSet.findFirst({ orderBy: { version: "desc" } });
      const current = newest?.version ?? 0;
      if (current !== input.baseVersion)
        throw new FraudAdminError(
          "conflict",
          `the rules changed meanwhile: version ${current} is the newest; reload`,
        );
      const row = await tx.fraudRuleSet.create({
        data: { version: current + 1, rules: input.ruleSet, note: input.note, createdBy: actor.name },
      });
      await recordAuditWith(tx, actor, {
        action: "fraud.rules_save",
        targetType: "fraud_rule_set",
        targetId: String(row.version),
        targetLabel: `rules v${row.version}`,
        before: newest ? { version: newest.version, rules: newest.rules } : null,
        after: { version: row.version, rules: input.ruleSet, note: input.note },
      });
      return toVersion(row);
    });
  } catch (error) {
    if (error instanceof FraudAdminError) throw error;
    if ((error as { code?: string }).code === "P2002")
      throw new FraudAdminError("conflict", "another admin saved a version at the same moment; reload", {
        cause: error,
      });
    throw error;
  }
}

/** Labels a decision (replacing an earlier label), audited in the same transaction. */
export async function labelDecision(
  prisma: PrismaClient,
  actor: Actor,
  input: { id: string; label: FraudLabel; note: string },
): Promise<void> {
  await prisma.$transaction(async (tx) => {
    const decision = await tx.fraudDecision.findUnique({ where: { id: input.id }, include: { label: true } });
    if (!decision) throw new FraudAdminError("not_found", `no decision with id ${input.id}`);
    const before = decision.label ? { label: decision.label.label, note: decision.label.note } : null;
    const data = { label: input.label, note: input.note, labeledBy: actor.name, labeledAt: new Date() };
    await tx.fraudLabel.upsert({
      where: { decisionId: input.id },
      create: { decisionId: input.id, ...data },
      update: data,
    });
    await recordAuditWith(tx, actor, {
      action: "fraud.label",
      targetType: "fraud_decision",
      targetId: input.id,
      targetLabel: `transaction ${input.id}`,
      before,
      after: { label: input.label, note: input.note },
    });
  });
}
