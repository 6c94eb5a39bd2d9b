import type pg from "pg";
import { MetricDefinition } from "../contract";

const SELECT_DEFINITIONS = `
SELECT name, description, event_type AS "eventType", aggregation, field, filter, group_by AS "groupBy", unit, enabled
FROM metric_definitions ORDER BY name`;

export interface LoadedDefinitions {
  definitions: MetricDefinition[];
  /** Rows that do not satisfy the contract, with the reason; they are skipped, not fatal. */
  invalid: { name: string; reason: string }[];
}

/** Reads and validates every metric definition. */
export async function loadDefinitions(pool: pg.Pool): Promise<LoadedDefinitions> {
  const result = await pool.query<Record<string, unknown>>(SELECT_DEFINITIONS);
  const loaded: LoadedDefinitions = { definitions: [], invalid: [] };
  for (const row of result.rows) {
    const parsed = MetricDefinition.safeParse(row);
    if (parsed.success) loaded.definitions.push(parsed.data);
    else
      loaded.invalid.push({
        name: String(row.name),
        reason: parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "),
      });
  }
  return loaded;
}
