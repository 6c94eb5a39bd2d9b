import type pg from "pg";
import {
  DEAD_LETTERS_SERIES,
  type AlertNotice,
  type AlertSilenceSpec,
  type MetricDefinition,
  type WebhookPayload,
} from "../contract";
import { readDeadLetterSeries } from "../db/alert-rollups";
import type { InstanceState, Transition } from "../core/alerting/evaluate";
import { checkRule, ruleMetrics } from "../core/alerting/rule-check";
import { evaluateRule } from "../core/alerting/rule-eval";
import { notifies } from "../core/alerting/rule-eval";
import { isSilenced } from "../core/alerting/silence";
import { flushMemories, loadInstances, writeInstance, type StoredInstance } from "../db/alert-instances";
import { loadEnabledRules, loadSilences, type LoadedRule } from "../db/alert-rules";
import { loadDefinitions } from "../db/metric-definitions";
import { errorFields, type Logger } from "../log";
import type { SourceCache } from "./sources";

export interface EvaluatorDeps {
  pool: pg.Pool;
  sources: SourceCache;
  owns(ruleId: string): boolean;
  log: Logger;
  /** Base of the links in webhooks (`<url>/alerts`). */
  publicUrl: string;
  publishNotice(notice: AlertNotice): void;
}

const key = (ruleId: string, group: string) => `${ruleId}\u0000${group}`;
/** Dead letters are read back this far: two 60-minute windows (a change condition's previous one). */
const DEAD_LETTER_HORIZON_MS = 2 * 3_600_000;

/** What changed in memory that a restart must not lose (the value alone is refreshed anyway). */
function memoryChanged(a: InstanceState, b: InstanceState): boolean {
  return (
    a.newestPosition !== b.newestPosition ||
    a.pendingSince !== b.pendingSince ||
    a.clearSince !== b.clearSince ||
    a.recent.length !== b.recent.length ||
    a.recent.at(-1)?.breach !== b.recent.at(-1)?.breach
  );
}

/**
 * The alerter's work: evaluates the rules it owns against the live store and stores each
 * transition once (compare-and-set), with an outbox row per channel. Time is passed in.
 */
export class AlertEvaluator {
  private rules: LoadedRule[] = [];
  private definitions = new Map<string, MetricDefinition>();
  private silences: AlertSilenceSpec[] = [];
  private readonly instances = new Map<string, Map<string, StoredInstance>>();
  private readonly dirty = new Map<string, { rule: LoadedRule; instance: StoredInstance }>();
  private readonly overflowSeen = new Map<string, number>();

  constructor(private readonly deps: EvaluatorDeps) {}

  /** Re-reads rules, metric definitions and silences. */
  async refresh(): Promise<void> {
    const [rules, defs, silences] = await Promise.all([
      loadEnabledRules(this.deps.pool),
      loadDefinitions(this.deps.pool),
      loadSilences(this.deps.pool),
    ]);
    for (const bad of rules.invalid) this.deps.log.warn("skipped an alert rule that does not parse", bad);
    const previous = new Map(this.rules.map((r) => [r.id, r.version]));
    this.rules = rules.rules;
    this.definitions = new Map(defs.definitions.map((d) => [d.name, d]));
    this.silences = silences;
    // A removed or edited rule is re-read from storage (its instances may have been deleted).
    for (const id of this.instances.keys())
      if (previous.get(id) !== this.rules.find((r) => r.id === id)?.version) this.instances.delete(id);
  }

  /** Forgets cached instances of rules this process may have lost and regained (read again). */
  forgetAll(): void {
    this.instances.clear();
  }

  get ruleCount(): number {
    return this.rules.length;
  }

  /** Evaluates owned rules (only those reading `touched` metrics when given) at `now`. */
  async round(now: number, touched?: ReadonlySet<string>): Promise<number> {
    const due = this.rules.filter(
      (r) => this.deps.owns(r.id) && (!touched || ruleMetrics(r.spec).some((m) => touched.has(m))),
    );
    await this.loadMissing(due);
    if (due.some((r) => r.spec.subject.kind === "dead_letters"))
      this.deps.sources.setExtra(
        DEAD_LETTERS_SERIES,
        await readDeadLetterSeries(this.deps.pool, now - DEAD_LETTER_HORIZON_MS, now + 60_000, now),
      );
    let transitions = 0;
    for (const rule of due) {
      try {
        transitions += await this.evaluateOne(rule, now);
      } catch (error) {
        // One rule's failure (a database error) must not stop the others.
        this.deps.log.warn("alert rule evaluation failed", { rule: rule.id, ...errorFields(error) });
        this.instances.delete(rule.id);
      }
    }
    return transitions;
  }

  private async loadMissing(rules: readonly LoadedRule[]): Promise<void> {
    const missing = rules.filter((r) => !this.instances.has(r.id)).map((r) => r.id);
    if (missing.length === 0) return;
    const stored = await loadInstances(this.deps.pool, missing);
    for (const id of missing) this.instances.set(id, new Map());
    for (const s of stored) this.instances.get(s.ruleId)?.set(s.group, s);
  }

  private async evaluateOne(rule: LoadedRule, now: number): Promise<number> {
    const known = this.instances.get(rule.id) ?? new Map<string, StoredInstance>();
    const issue = checkRule(rule.spec, this.definitions)[0];
    const src = this.deps.sources.sources(ruleMetrics(rule.spec), rule.spec.bucket);
    const memories = new Map([...known].map(([g, s]) => [g, s.memory]));
    const result = evaluateRule(
      rule.spec,
      memories,
      src,
      now,
      issue ? `${issue.field}: ${issue.message}` : null,
    );
    this.reportOverflow(rule, result.overflow.length);
    const changedGroups = new Map(result.transitions.map((t) => [t.group, t.transition]));
    let stored = 0;
    for (const [group, memory] of result.instances) {
      const before = known.get(group);
      const transition = changedGroups.get(group);
      if (transition) stored += await this.store(rule, group, memory, before, transition, "transition");
      else if (before && this.repeatDue(rule, before, memory, now))
        stored += await this.store(rule, group, memory, before, this.repeatOf(rule, memory, now), "repeat");
      else if (!before || memoryChanged(before.memory, memory)) {
        const instance = {
          ruleId: rule.id,
          group,
          seq: before?.seq ?? 0,
          memory,
          acknowledged: before?.acknowledged ?? false,
          lastNotifiedAt: before?.lastNotifiedAt ?? null,
        };
        known.set(group, instance);
        this.dirty.set(key(rule.id, group), { rule, instance });
      } else known.set(group, { ...before, memory });
    }
    return stored;
  }

  private repeatDue(rule: LoadedRule, before: StoredInstance, memory: InstanceState, now: number): boolean {
    if (memory.state !== "firing" || before.acknowledged || rule.spec.channelIds.length === 0) return false;
    return before.lastNotifiedAt !== null && now - before.lastNotifiedAt >= rule.spec.repeatIntervalMs;
  }

  private repeatOf(rule: LoadedRule, memory: InstanceState, now: number): Transition {
    return {
      from: "firing",
      to: "firing",
      at: now,
      value: memory.value,
      threshold: rule.spec.condition.threshold,
      position: memory.newestPosition,
      buckets: [],
      reason: null,
    };
  }

  private async store(
    rule: LoadedRule,
    group: string,
    memory: InstanceState,
    before: StoredInstance | undefined,
    t: Transition,
    kind: "transition" | "repeat",
  ): Promise<number> {
    const labels = {
      rule: rule.spec.name,
      rule_id: rule.id,
      severity: rule.spec.severity,
      group,
      ...rule.spec.labels,
    };
    const silenced = isSilenced(this.silences, labels, t.at);
    const notify = kind === "repeat" || notifies(t.from, t.to);
    const expectedSeq = before?.seq ?? 0;
    const written = await writeInstance(this.deps.pool, {
      ruleId: rule.id,
      ruleVersion: rule.version,
      group,
      expectedSeq,
      memory,
      event: {
        kind,
        transition: t,
        silenced,
        channelIds: notify ? rule.spec.channelIds : [],
        payload: (eventId) => this.payload(rule, group, t, kind, eventId),
      },
    });
    const known = this.instances.get(rule.id);
    if (!written.ok) {
      // Another evaluator wrote this instance first, or a repeat met an acknowledgement this
      // copy did not know of: read the rule's instances again.
      this.deps.log.info("alert instance moved on elsewhere; reloading", { rule: rule.id, group });
      this.instances.delete(rule.id);
      return 0;
    }
    this.dirty.delete(key(rule.id, group));
    const notified = notify && !silenced && rule.spec.channelIds.length > 0;
    known?.set(group, {
      ruleId: rule.id,
      group,
      seq: expectedSeq + 1,
      memory,
      acknowledged: kind === "transition" ? false : (before?.acknowledged ?? false),
      lastNotifiedAt: notified ? t.at : (before?.lastNotifiedAt ?? null),
    });
    if (kind === "transition")
      this.deps.publishNotice({
        ruleId: rule.id,
        ruleName: rule.spec.name,
        severity: rule.spec.severity,
        group,
        from: t.from,
        to: t.to,
        value: t.value,
        at: t.at,
      });
    return 1;
  }

  private payload(
    rule: LoadedRule,
    group: string,
    t: Transition,
    kind: "transition" | "repeat",
    eventId: string,
  ): WebhookPayload {
    return {
      rule: { id: rule.id, name: rule.spec.name, severity: rule.spec.severity, version: rule.version },
      instance: `${rule.id}/${group}`,
      group,
      state: t.to,
      previous: t.from,
      value: t.value,
      threshold: t.threshold,
      at: new Date(t.at).toISOString(),
      url: `${this.deps.publicUrl}/alerts?rule=${encodeURIComponent(rule.id)}&event=${eventId}`,
      kind,
    };
  }

  private reportOverflow(rule: LoadedRule, overflow: number): void {
    if (this.overflowSeen.get(rule.id) === overflow) return;
    this.overflowSeen.set(rule.id, overflow);
    if (overflow > 0)
      this.deps.log.warn("alert rule has more groups than its cap; the rest are not evaluated", {
        rule: rule.id,
        cap: rule.spec.maxGroups,
        over: overflow,
      });
  }

  /** Writes memory-only changes (one statement); instances that moved on elsewhere are re-read. */
  async flush(): Promise<void> {
    const pending = [...this.dirty.values()];
    this.dirty.clear();
    if (pending.length === 0) return;
    const written = await flushMemories(
      this.deps.pool,
      pending.map(({ rule, instance }) => ({ ...instance, ruleVersion: rule.version })),
    );
    for (const { instance } of pending)
      if (!written.has(key(instance.ruleId, instance.group))) this.instances.delete(instance.ruleId);
  }
}
