import type pg from "pg";
import { AlertRuleSpec, AlertSilenceSpec } from "../contract";

export interface LoadedRule {
  id: string;
  version: number;
  spec: AlertRuleSpec;
}

/** Enabled rules whose spec satisfies the contract; the others are reported, never fatal. */
export async function loadEnabledRules(
  pool: pg.Pool,
): Promise<{ rules: LoadedRule[]; invalid: Array<{ id: string; reason: string }> }> {
  const { rows } = await pool.query<{ id: string; version: number; spec: unknown }>(
    `SELECT id, version, spec FROM alert_rules WHERE enabled ORDER BY id`,
  );
  const rules: LoadedRule[] = [];
  const invalid: Array<{ id: string; reason: string }> = [];
  for (const row of rows) {
    const spec = AlertRuleSpec.safeParse(row.spec);
    if (spec.success) rules.push({ id: row.id, version: row.version, spec: spec.data });
    else invalid.push({ id: row.id, reason: spec.error.issues[0]?.message ?? "invalid spec" });
  }
  return { rules, invalid };
}

export async function loadSilences(pool: pg.Pool): Promise<AlertSilenceSpec[]> {
  const { rows } = await pool.query<{ spec: unknown }>(`SELECT spec FROM alert_silences`);
  return rows.flatMap((r) => {
    const spec = AlertSilenceSpec.safeParse(r.spec);
    return spec.success ? [spec.data] : [];
  });
}
