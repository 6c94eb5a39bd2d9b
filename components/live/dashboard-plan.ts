import type { LiveSubscribe, MetricDefinition, Resolution } from "../../server/contract";

/**
 * Which metric definitions feed which part of the live page. Chosen by their shape (event
 * type, aggregation, filter, group-by), never by name, so edited or added definitions show up.
 */
export interface DashboardPlan {
  /** One unfiltered count per event type: throughput and events/s. */
  throughput: MetricDefinition[];
  /** A percentile metric in ms: latency p50/p95/p99 (every bucket keeps all percentiles). */
  latency: MetricDefinition | null;
  /** A filtered count over the same event type as an unfiltered one: an error rate. */
  errorRate: { errors: MetricDefinition; total: MetricDefinition } | null;
  activeUsers: MetricDefinition | null;
  transactions: MetricDefinition | null;
  amount: MetricDefinition | null;
  /** Grouped unfiltered counts for top-N lists (routes, countries first). */
  breakdowns: MetricDefinition[];
  /** Fraud decisions (metrics over the decision attrs scoring adds); null without any. */
  fraud: FraudPlan | null;
}

/** The decision attrs scoring adds to every scored transaction (server/fraud/score.ts). */
const DECISION_ATTR = "fraud_decision";
const LATENCY_ATTR = "fraud_latency_ms";

export interface FraudPlan {
  /** A count grouped by the decision: decisions per minute by outcome. */
  byOutcome: MetricDefinition | null;
  /** A count of scored transactions and one of flagged ones: the flag rate. */
  scored: MetricDefinition | null;
  flagged: MetricDefinition | null;
  /** A percentile of the decision latency attr. */
  latency: MetricDefinition | null;
}

const usesDecisionAttrs = (d: MetricDefinition) =>
  d.groupBy === DECISION_ATTR || d.field === LATENCY_ATTR || d.filter.some((f) => f.attr === DECISION_ATTR);

function planFraud(defs: readonly MetricDefinition[]): FraudPlan | null {
  const fraud = defs.filter(usesDecisionAttrs);
  const counts = fraud.filter((d) => d.aggregation === "count" && d.eventType === "transaction");
  const plan: FraudPlan = {
    byOutcome: counts.find((d) => d.groupBy === DECISION_ATTR) ?? null,
    scored:
      counts.find((d) => d.groupBy === null && d.filter.length === 1 && d.filter[0]?.op === "exists") ?? null,
    flagged:
      counts.find(
        (d) =>
          d.groupBy === null &&
          d.filter.some((f) => f.attr === DECISION_ATTR && f.op === "eq" && f.value === "flagged"),
      ) ?? null,
    latency: fraud.find((d) => PERCENTILES.has(d.aggregation) && d.field === LATENCY_ATTR) ?? null,
  };
  return Object.values(plan).some((d) => d !== null) ? plan : null;
}

const PERCENTILES = new Set(["p50", "p90", "p95", "p99", "avg"]);
const PREFERRED_GROUPS = ["route", "country"];
const byName = (a: MetricDefinition, b: MetricDefinition) => a.name.localeCompare(b.name);

export function planDashboard(all: readonly MetricDefinition[]): DashboardPlan {
  const enabled = all.filter((d) => d.enabled).sort(byName);
  // Decision metrics have their own panel; they never stand in for throughput, latency or errors.
  const defs = enabled.filter((d) => !usesDecisionAttrs(d));
  const plainCounts = defs.filter((d) => d.aggregation === "count" && d.filter.length === 0);
  const throughput: MetricDefinition[] = [];
  for (const d of plainCounts) if (!throughput.some((t) => t.eventType === d.eventType)) throughput.push(d);
  const errors = defs.find(
    (d) =>
      d.aggregation === "count" && d.filter.length > 0 && throughput.some((t) => t.eventType === d.eventType),
  );
  const total = errors ? (throughput.find((t) => t.eventType === errors.eventType) ?? null) : null;
  const transactionCount = throughput.find((d) => d.eventType === "transaction") ?? null;
  // One list per preferred group-by attr (routes, countries), then other grouped counts.
  const grouped = plainCounts.filter((d) => d.groupBy !== null);
  const breakdowns: MetricDefinition[] = [];
  for (const attr of PREFERRED_GROUPS) {
    const found = grouped.find((d) => d.groupBy === attr);
    if (found) breakdowns.push(found);
  }
  for (const d of grouped) if (!breakdowns.includes(d)) breakdowns.push(d);
  return {
    throughput,
    latency: defs.find((d) => PERCENTILES.has(d.aggregation) && d.unit === "ms") ?? null,
    errorRate: errors && total ? { errors, total } : null,
    activeUsers: defs.find((d) => d.aggregation === "distinct" && d.groupBy === null) ?? null,
    transactions: transactionCount,
    amount:
      defs.find((d) => d.aggregation === "sum" && d.eventType === "transaction" && d.filter.length === 0) ??
      null,
    breakdowns: breakdowns.slice(0, 2),
    fraud: planFraud(enabled),
  };
}

/** The subscriptions the page holds for a plan at one resolution (totals + breakdown groups). */
export function planSubscriptions(plan: DashboardPlan, resolution: Resolution): LiveSubscribe[] {
  const totals = new Set<string>();
  for (const d of [
    ...plan.throughput,
    plan.latency,
    plan.errorRate?.errors,
    plan.errorRate?.total,
    plan.activeUsers,
    plan.transactions,
    plan.amount,
    plan.fraud?.scored,
    plan.fraud?.flagged,
    plan.fraud?.latency,
  ])
    if (d) totals.add(d.name);
  const subscriptions: LiveSubscribe[] = [...totals].sort().map((metric) => ({ metric, resolution }));
  for (const d of [...plan.breakdowns, ...(plan.fraud?.byOutcome ? [plan.fraud.byOutcome] : [])])
    subscriptions.push({ metric: d.name, resolution, groupBy: d.groupBy ?? undefined });
  return subscriptions;
}
