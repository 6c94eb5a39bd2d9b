import { AlertRuleSpec, type AlertRuleSpecInput, type MetricDefinition } from "../contract";
import type { PrismaClient } from "../generated/prisma/client";
import { createRule } from "./rules-admin";

/**
 * The demo's rules, tuned to the simulator's scripted incidents (server/simulator/incidents.ts):
 * each goes pending → firing → recovering → normal within one 6-minute cycle.
 */
export const DEMO_RULES: AlertRuleSpecInput[] = [
  {
    name: "API p95 latency",
    description: "p95 of API latency per 10 s bucket; the demo's latency spike fires it.",
    severity: "critical",
    subject: { kind: "metric", metric: "api_latency", statistic: "p95" },
    bucket: "10s",
    windowMs: 10_000,
    condition: { kind: "threshold", op: ">", threshold: 400 },
    recoveryThreshold: 250,
    pendingMs: 20_000,
    keepFiringMs: 30_000,
    minVolume: 20,
    repeatIntervalMs: 15 * 60_000,
  },
  {
    name: "API error rate",
    description:
      "5xx share of API requests over 30 s, at least 20 requests; the demo's error burst fires it.",
    severity: "warning",
    subject: {
      kind: "ratio",
      numerator: { metric: "api_errors", statistic: "count" },
      denominator: { metric: "api_requests", statistic: "count" },
    },
    bucket: "10s",
    windowMs: 30_000,
    condition: { kind: "threshold", op: ">=", threshold: 5 },
    recoveryThreshold: 3,
    pendingMs: 10_000,
    keepFiringMs: 30_000,
    minVolume: 20,
  },
  {
    name: "Data age",
    description: "Seconds since the watermark: the pipeline has stalled when this grows.",
    severity: "critical",
    subject: { kind: "data_age" },
    windowMs: 60_000,
    condition: { kind: "threshold", op: ">", threshold: 60 },
    recoveryThreshold: 30,
  },
  {
    name: "Dead letters per minute",
    description: "Rejected inputs in the current minute; the simulator's malformed events stay far below it.",
    severity: "warning",
    subject: { kind: "dead_letters" },
    windowMs: 60_000,
    condition: { kind: "threshold", op: ">", threshold: 100 },
    recoveryThreshold: 50,
  },
  {
    name: "Fraud flag rate",
    description:
      "Share of scored transactions flagged over 5 min, at least 50 decisions: a rule change or an attack wave moves it.",
    severity: "warning",
    subject: {
      kind: "ratio",
      numerator: { metric: "transactions_flagged", statistic: "count" },
      denominator: { metric: "transactions_scored", statistic: "count" },
    },
    bucket: "1m",
    windowMs: 5 * 60_000,
    condition: { kind: "threshold", op: ">", threshold: 10 },
    recoveryThreshold: 7,
    pendingMs: 60_000,
    minVolume: 50,
  },
];

/** Creates the demo rules once (as `seed`); later runs keep whatever admins made of them. */
export async function seedDemoRules(
  prisma: PrismaClient,
  definitions: ReadonlyMap<string, MetricDefinition>,
): Promise<number> {
  if ((await prisma.alertRule.count()) > 0) return 0;
  const ctx = { prisma, actor: { kind: "system", name: "seed" } as const, masterSecret: "" };
  for (const rule of DEMO_RULES) await createRule(ctx, AlertRuleSpec.parse(rule), definitions);
  return DEMO_RULES.length;
}
