import type pg from "pg";
import {
  AlertRuleSpec,
  type AlertEventView,
  type AlertInstanceView,
  type AlertState,
  type AlertsResponse,
  type BucketState,
} from "../contract";
import { isSilenced } from "../core/alerting/silence";
import { loadSilences } from "../db/alert-rules";

interface InstanceRow {
  rule_id: string;
  spec: unknown;
  group_key: string;
  state: AlertState;
  since: Date;
  value: number | null;
  memory: { reason?: string | null; trail?: Array<{ t: number; v: number | null }> };
  acknowledged_by: string | null;
  acknowledged_note: string | null;
  acknowledged_at: Date | null;
}

interface EventRow {
  id: string;
  rule_id: string;
  name: string;
  group_key: string;
  at: Date;
  kind: AlertEventView["kind"];
  from_state: AlertState;
  to_state: AlertState;
  value: number | null;
  threshold: number | null;
  reason: string | null;
  silenced: boolean;
  buckets: Array<{ start: number; state: BucketState }>;
}

const unitOf = (spec: AlertRuleSpec) =>
  spec.subject.kind === "ratio" ? "%" : spec.subject.kind === "data_age" ? "s" : "";

/** Instances of enabled rules (the normal ones only when asked) and the latest transitions. */
export async function readAlerts(
  pool: pg.Pool,
  now: number,
  options: { includeNormal: boolean; ruleId?: string; limit?: number },
): Promise<AlertsResponse> {
  const [instances, events, silences, rules] = await Promise.all([
    pool.query<InstanceRow>(
      `SELECT i.rule_id, r.spec, i.group_key, i.state, i.since, i.value, i.memory,
              i.acknowledged_by, i.acknowledged_note, i.acknowledged_at
       FROM alert_instances i JOIN alert_rules r ON r.id = i.rule_id
       WHERE r.enabled AND ($1 OR i.state <> 'normal') AND ($2::text IS NULL OR i.rule_id = $2)
       ORDER BY i.since DESC LIMIT 500`,
      [options.includeNormal, options.ruleId ?? null],
    ),
    pool.query<EventRow>(
      `SELECT e.id, e.rule_id, r.name, e.group_key, e.at, e.kind, e.from_state, e.to_state, e.value,
              e.threshold, e.reason, e.silenced, e.buckets
       FROM alert_events e JOIN alert_rules r ON r.id = e.rule_id
       WHERE ($1::text IS NULL OR e.rule_id = $1)
       ORDER BY e.at DESC, e.seq DESC LIMIT $2`,
      [options.ruleId ?? null, options.limit ?? 100],
    ),
    loadSilences(pool),
    pool.query<{ id: string; spec: unknown }>(`SELECT id, spec FROM alert_rules WHERE enabled ORDER BY name`),
  ]);
  const views: AlertInstanceView[] = instances.rows.flatMap((row) => {
    const spec = AlertRuleSpec.safeParse(row.spec);
    if (!spec.success) return [];
    const labels = {
      rule: spec.data.name,
      rule_id: row.rule_id,
      severity: spec.data.severity,
      group: row.group_key,
      ...spec.data.labels,
    };
    return [
      {
        ruleId: row.rule_id,
        ruleName: spec.data.name,
        severity: spec.data.severity,
        group: row.group_key,
        state: row.state,
        since: row.since.toISOString(),
        value: row.value,
        threshold: spec.data.condition.threshold,
        unit: unitOf(spec.data),
        acknowledged:
          row.acknowledged_at && row.acknowledged_by
            ? {
                by: row.acknowledged_by,
                note: row.acknowledged_note ?? "",
                at: row.acknowledged_at.toISOString(),
              }
            : null,
        silenced: isSilenced(silences, labels, now),
        reason: row.memory.reason ?? null,
        trail: row.memory.trail ?? [],
      },
    ];
  });
  return {
    rules: rules.rows.flatMap((r) => {
      const spec = AlertRuleSpec.safeParse(r.spec);
      if (!spec.success) return [];
      const { name, subject, groupBy, condition, recoveryThreshold } = spec.data;
      // A change condition's threshold is not a level on the metric's chart.
      return condition.kind === "threshold"
        ? [{ id: r.id, name, subject, groupBy, threshold: condition.threshold, recoveryThreshold }]
        : [];
    }),
    instances: views,
    events: events.rows.map((e) => ({
      id: e.id,
      ruleId: e.rule_id,
      ruleName: e.name,
      group: e.group_key,
      at: e.at.toISOString(),
      kind: e.kind,
      from: e.from_state,
      to: e.to_state,
      value: e.value,
      threshold: e.threshold,
      reason: e.reason,
      silenced: e.silenced,
      buckets: e.buckets,
    })),
  };
}
