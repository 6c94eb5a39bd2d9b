import {
  EVENT_LIMITS,
  validatePayload,
  type FraudRuleSet,
  type Reason,
  type ScoreResponse,
  type ValidEvent,
} from "../contract";
import { computeFeatures, type FeatureInputs } from "../core/fraud/features";
import { scoreTransaction, type FraudSubject } from "../core/fraud/score";
import type { LoadRules } from "../db/fraud-decide";
import type { DecisionSubject, NewDecision, StoredDecision } from "../db/fraud-store";

/** Attrs every scored transaction is ingested with; callers may not send them. */
export const DECISION_ATTRS = [
  "fraud_decision",
  "fraud_score",
  "fraud_rules_version",
  "fraud_latency_ms",
] as const;

/** Ports of the scoring verb: Postgres and JetStream in production, twins in unit tests. */
export interface ScorePorts {
  decideAndStore(
    tx: DecisionSubject,
    decide: (
      inputs: FeatureInputs,
      rulesVersion: number | null,
      loadRules: LoadRules,
    ) => Promise<NewDecision>,
  ): Promise<{ decision: StoredDecision; created: boolean }>;
  /** Makes sure a rule set is stored and cached (the default is seeded on first use); before any lock. */
  prepareRules(): Promise<void>;
  /** The rule set of `version`, from the cache or read with `load` on the decision's connection. */
  ruleSet(version: number | null, load: LoadRules): Promise<{ version: number; set: FraudRuleSet }>;
  /**
   * Ingests the decided transaction: JetStream with Nats-Msg-Id = id, then marks the outbox row.
   * Never rejects (a failure is left to the outbox); the verb does not wait for it.
   */
  ingest(decision: StoredDecision): Promise<void>;
  /** Monotonic milliseconds, for the decision latency. */
  elapsed(): number;
}

export type ScoreOutcome =
  { ok: true; response: ScoreResponse } | { ok: false; id?: string; reasons: Reason[] };

export interface ScoreContext {
  now: number;
  oldestAcceptedTs: number;
  /** `elapsed()` when the request arrived. */
  startedAt: number;
}

/** Beyond the contract: room for the decision attrs, none of them sent by the caller. */
function decisionAttrReasons(event: ValidEvent): Reason[] {
  const reasons: Reason[] = [];
  for (const name of DECISION_ATTRS)
    if (Object.hasOwn(event.attrs, name))
      reasons.push({
        code: "invalid_attrs",
        path: `attrs.${name}`,
        message: `${name} is set by scoring; do not send it`,
      });
  const room = EVENT_LIMITS.maxAttrs - DECISION_ATTRS.length;
  if (Object.keys(event.attrs).length > room)
    reasons.push({
      code: "invalid_attrs",
      path: "attrs",
      message: `a scored transaction may carry at most ${room} attrs (scoring adds ${DECISION_ATTRS.length})`,
    });
  return reasons;
}

const text = (v: unknown) => (typeof v === "string" ? v : null);

function subjectOf(event: ValidEvent): DecisionSubject {
  return {
    id: event.id,
    ts: event.ts,
    amount: event.value ?? 0,
    card: String(event.attrs.card_id),
    customer: String(event.attrs.customer_id),
    device: text(event.attrs.device_id),
    country: text(event.attrs.country),
    merchant: String(event.attrs.merchant),
  };
}

export const toResponse = (d: StoredDecision): ScoreResponse => ({
  id: d.id,
  decision: d.decision,
  score: d.score,
  reasons: d.reasons,
  features: d.features,
  rulesVersion: d.rulesVersion,
  decidedAt: d.decidedAt.toISOString(),
});

/**
 * Scores one `transaction` event: validated exactly as ingest validates it, then decided from
 * the features stored before it (server/db/fraud-store.ts) by the pure rules, stored, and
 * ingested once with its decision attrs. A repeated id answers the stored decision (found under
 * the same locks, so a concurrent repeat waits for the first) and only finishes its ingest if
 * that was cut short. The answer comes after the commit, not after JetStream's ack.
 */
export async function scoreEvent(
  ports: ScorePorts,
  body: Uint8Array,
  ctx: ScoreContext,
): Promise<ScoreOutcome> {
  const validation = validatePayload(body, ctx.now, { oldestCountedTs: ctx.oldestAcceptedTs });
  if (!validation.ok)
    return { ok: false, ...(validation.id ? { id: validation.id } : {}), reasons: validation.reasons };
  const event = validation.event;
  if (event.type !== "transaction")
    return {
      ok: false,
      id: event.id,
      reasons: [
        { code: "type_mismatch", path: "type", message: `must be "transaction", got "${event.type}"` },
      ],
    };
  const extra = decisionAttrReasons(event);
  if (extra.length > 0) return { ok: false, id: event.id, reasons: extra };
  const subject = subjectOf(event);
  await ports.prepareRules();
  const { decision, created } = await ports.decideAndStore(subject, async (inputs, version, load) =>
    decide(ports, event, subject, { inputs, version, load }, ctx),
  );
  // The answer does not wait for JetStream's ack: the decision is committed, and the outbox
  // (docs/decisions/0033) ingests it if this publish is cut short.
  if (created || !decision.published) void ports.ingest(decision);
  return { ok: true, response: toResponse(decision) };
}

async function decide(
  ports: ScorePorts,
  event: ValidEvent,
  subject: DecisionSubject,
  stored: { inputs: FeatureInputs; version: number | null; load: LoadRules },
  ctx: ScoreContext,
): Promise<NewDecision> {
  const { inputs } = stored;
  const rules = await ports.ruleSet(stored.version, stored.load);
  const features = computeFeatures(subject, inputs);
  const who: FraudSubject = {
    card: subject.card,
    customer: subject.customer,
    device: subject.device,
    country: subject.country,
  };
  const verdict = scoreTransaction(rules.set, who, features);
  const latencyMs = Math.round((ports.elapsed() - ctx.startedAt) * 1000) / 1000;
  const attrs = {
    ...event.attrs,
    fraud_decision: verdict.decision,
    fraud_score: verdict.score,
    fraud_rules_version: rules.version,
    fraud_latency_ms: latencyMs,
  };
  return {
    decision: verdict.decision,
    score: verdict.score,
    reasons: verdict.reasons,
    features,
    rulesVersion: rules.version,
    decidedAt: new Date(ctx.now),
    event: { ...event, attrs },
    hits: verdict.hits.filter((h) => !h.shadow).map((h) => h.rule),
    shadowHits: verdict.hits.filter((h) => h.shadow).map((h) => h.rule),
    latencyMs,
  };
}
