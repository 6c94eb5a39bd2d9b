/** Evaluator CPU: full rounds of many rules × groups over a live store, in this process. */
import { AlertRuleSpec, STATISTICS, type LiveBatch, type MetricBucket } from "../../server/contract";
import { evaluateRule } from "../../server/core/alerting/rule-eval";
import type { InstanceState } from "../../server/core/alerting/evaluate";
import { ruleMetrics } from "../../server/core/alerting/rule-check";
import { LiveStore } from "../../server/core/live-store";
import { SourceCache } from "../../server/alerter/sources";

export interface CpuResult {
  rules: number;
  groups: number;
  rounds: number;
  instancesPerRound: number;
  cpuMsPerRound: number;
  coresAtOneRoundPerSecond: number;
  /** The tick plus 5 live batches per second, each touching every metric (2,000 events/s). */
  coresWithBatches: number;
}

const METRICS = ["m0", "m1", "m2", "m3", "m4"];
const MIN = 60_000;

function bucket(metric: string, start: number, groupKey: string, k: number): MetricBucket {
  const count = 50 + ((k * 7) % 40);
  const sum = count * (80 + (k % 50));
  return {
    metric,
    resolution: "1m",
    bucketStart: start,
    groupKey,
    state: "open",
    summary: {
      count,
      sum,
      avg: sum / count,
      min: 5,
      max: 400 + (k % 300),
      p50: 80,
      p90: 150,
      p95: 200,
      p99: 350,
      distinct: 10,
    },
  };
}

function batch(seq: number, start: number, groups: number): LiveBatch {
  const buckets: MetricBucket[] = [];
  for (const metric of METRICS) {
    buckets.push(bucket(metric, start, "", seq));
    for (let g = 0; g < groups; g++) buckets.push(bucket(metric, start, `g${g}`, seq + g));
  }
  return {
    consumer: "c",
    batchSeq: seq,
    total: seq,
    tooLateTotal: 0,
    watermark: start,
    rates: [],
    buckets,
    committedAt: start,
  };
}

export function measureEvaluatorCpu(o: { rules: number; groups: number; rounds: number }): CpuResult {
  const T0 = Date.UTC(2026, 11, 2, 6, 0, 0);
  const store = new LiveStore(100);
  let seq = 0;
  for (let m = 0; m < 20; m++) store.apply(batch(++seq, T0 + m * MIN, o.groups));
  const statistics = STATISTICS.filter((s) => !["p50", "p90", "p95", "p99", "distinct"].includes(s));
  const rules = Array.from({ length: o.rules }, (_, i) =>
    AlertRuleSpec.parse({
      name: `r${i}`,
      subject: {
        kind: "metric",
        metric: METRICS[i % METRICS.length],
        statistic: statistics[i % statistics.length],
      },
      groupBy: "g",
      maxGroups: o.groups,
      windowMs: 5 * MIN,
      condition: { kind: "threshold", op: ">", threshold: 100 + (i % 500) },
      recoveryThreshold: 50 + (i % 500),
      pendingMs: 30_000,
      keepFiringMs: 60_000,
      nOfM: { n: 2, m: 3 },
      minVolume: 10,
    }),
  );
  const sources = new SourceCache(store);
  const states = rules.map(() => new Map<string, InstanceState>());
  let instances = 0;
  const round = (now: number) => {
    instances = 0;
    rules.forEach((rule, i) => {
      const result = evaluateRule(
        rule,
        states[i] ?? new Map(),
        sources.sources(ruleMetrics(rule), rule.bucket),
        now,
      );
      states[i] = result.instances;
      instances += result.instances.size;
    });
  };
  round(T0 + 20 * MIN); // warm-up (JIT)
  const before = process.cpuUsage();
  for (let r = 0; r < o.rounds; r++) {
    // Every live batch changes the store, so every round reads fresh series.
    store.apply(batch(++seq, T0 + 19 * MIN, o.groups));
    round(T0 + 20 * MIN + r * 1000);
  }
  const used = process.cpuUsage(before);
  const cpuMsPerRound = (used.user + used.system) / 1000 / o.rounds;
  return {
    rules: o.rules,
    groups: o.groups,
    rounds: o.rounds,
    instancesPerRound: instances,
    cpuMsPerRound,
    coresAtOneRoundPerSecond: cpuMsPerRound / 1000,
    coresWithBatches: (cpuMsPerRound * 6) / 1000,
  };
}
