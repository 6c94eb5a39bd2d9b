/** The result document of one bench run, its console table, and its JSON files. */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { BenchArgs } from "./args";
import type { CpuUse } from "./cpu";
import type { ProfileSummary } from "./cpu-profile";
import type { NoopResult } from "./noop-consumer";
import type { InsertResult } from "./pg-insert";
import type { LatencyResult, PipelineResult } from "./pipeline";
import type { PreloadReport } from "./profiler-preload";
import type { PrepublishResult } from "./publish";
import { formatInt, formatPercent, round } from "./stats";

export const GOAL_RATIO = 0.5;

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  totalMemoryMiB: number;
  loadAverageAtStart: number[];
  node: string;
  platform: string;
  kernel: string;
  gitCommit: string | null;
  postgres: string;
  natsServer: string;
}

export interface ProfileResult {
  cpuProfileFile: string;
  summary: ProfileSummary;
  preload: PreloadReport;
}

export interface BenchResult {
  schema: 1;
  label: string;
  startedAt: string;
  finishedAt: string;
  /** True when (c) ran under the CPU profiler and SQL timing: its numbers are perturbed. */
  profiled: boolean;
  args: BenchArgs;
  machine: MachineInfo;
  namespace: string;
  database: string;
  processorConfig: {
    batchSize: number;
    batchWaitMs: number;
    maxInFlight: number;
    env: Record<string, string>;
  };
  metrics: { active: number; total: number; names: string[] };
  enrichment: string;
  publish: Omit<PrepublishResult, "bodies">;
  stages: {
    noop: NoopResult & { cpu: CpuUse };
    noopCallback: NoopResult & { cpu: CpuUse };
    insert: InsertResult & { cpu: CpuUse };
    pipeline: PipelineResult;
  };
  ratios: { pipelineVsNoop: number; pipelineVsInsert: number; pipelineVsNoopCallback: number };
  goal: { target: string; met: boolean };
  latency: LatencyResult | null;
  memory: {
    /** Processor VmHWM over its whole life (start-up, stage (c), latency phase). */
    peakRssMiB: number | null;
    /** VmHWM when stage (c) had drained. */
    peakRssAfterPipelineMiB: number | null;
    /** VmRSS samples every 200 ms: [ms since spawn, RSS MiB]. */
    rssTimeline: [number, number][];
  };
  verification: Record<string, number | boolean | string>;
  profile: ProfileResult | null;
  durationSeconds: number;
}

const pad = (text: string, width: number) => text.padEnd(width);
const padLeft = (text: string, width: number) => text.padStart(width);

export function printResults(result: BenchResult): void {
  const { noop, noopCallback, insert, pipeline } = result.stages;
  const rows: [string, number, string, string, CpuUse][] = [
    ["(a) JetStream no-op consume + ack", noop.eventsPerSecond, "100.0 %", "", noop.cpu],
    ["(b) Postgres set-based INSERT raw_events", insert.eventsPerSecond, "", "100.0 %", insert.cpu],
    [
      `(c) full pipeline${result.profiled ? " (PROFILED)" : ""}`,
      pipeline.eventsPerSecond,
      formatPercent(result.ratios.pipelineVsNoop),
      formatPercent(result.ratios.pipelineVsInsert),
      pipeline.cpu,
    ],
    [
      "(a') no-op consumer, consume({callback})",
      noopCallback.eventsPerSecond,
      formatPercent(result.ratios.pipelineVsNoopCallback),
      "",
      noopCallback.cpu,
    ],
  ];
  const line = "-".repeat(100);
  console.log(`\n${line}`);
  console.log(
    `Nowcast bench  ${result.startedAt}  N=${formatInt(result.publish.stored)} events  ` +
      `${result.machine.cpus} CPUs  node ${result.machine.node}  commit ${result.machine.gitCommit?.slice(0, 10) ?? "n/a"}` +
      `  load ${result.machine.loadAverageAtStart.join(" ")}`,
  );
  console.log(line);
  console.log(
    `${pad("stage", 42)}${padLeft("events/s", 10)}${padLeft("(c) vs it", 11)}${padLeft("(c) vs (b)", 12)}` +
      `${padLeft("CPU ms/1k ev", 14)}${padLeft("other work", 12)}`,
  );
  for (const [name, rate, a, b, cpu] of rows) {
    console.log(
      `${pad(name, 42)}${padLeft(formatInt(rate), 10)}${padLeft(a, 11)}${padLeft(b, 12)}` +
        `${padLeft(String(cpu.cpuMsPer1kEvents ?? "—"), 14)}${padLeft(`${cpu.others} cores`, 12)}`,
    );
  }
  console.log(line);
  const verdict = result.goal.met ? "MET" : "NOT MET";
  console.log(
    `Goal (c) >= 50 % of (a): ${verdict} — (c) is ${formatPercent(result.ratios.pipelineVsNoop)} of (a)` +
      ` and ${formatPercent(result.ratios.pipelineVsInsert)} of (b).`,
  );
  if (result.latency) {
    const l = result.latency;
    console.log(
      `Latency publish → commit at ${formatInt(l.achievedRate)} events/s for ${l.seconds} s ` +
        `(n=${formatInt(l.measured)}, ${l.batches} batches of ~${l.meanBatchSize}): ` +
        `p50 ${l.p50Ms ?? "—"} ms, p90 ${l.p90Ms ?? "—"} ms, p99 ${l.p99Ms ?? "—"} ms, max ${l.maxMs ?? "—"} ms (±1 ms)`,
    );
  }
  console.log(
    `Processor peak RSS (VmHWM): ${result.memory.peakRssMiB ?? "—"} MiB over its life; ` +
      `${result.memory.peakRssAfterPipelineMiB ?? "—"} MiB when (c) had drained.`,
  );
  const cpu = pipeline.cpu;
  console.log(
    `CPU during (c), in cores of ${result.machine.cpus}: processor ${cpu.subject}, its postgres backends ` +
      `${cpu.postgresBackends} (all postgres ${cpu.postgresAll}), nats-server ${cpu.natsServer}, bench ${cpu.bench}; ` +
      `machine busy ${cpu.machine}, of which other work ${cpu.others}.`,
  );
  const noisiest = Math.max(...rows.map((row) => row[4].others));
  if (noisiest >= 0.25) {
    console.log(
      `NOTE: other work on this machine took up to ${noisiest} of ${result.machine.cpus} cores during the stages ` +
        `(load average ${result.machine.loadAverageAtStart.join(" ")} at start): rates are depressed and ratios ` +
        `shift with it; "CPU ms/1k ev" (stage process + its Postgres backends + nats-server) is the steadier figure.`,
    );
  }
  console.log(
    `(c) details: ${formatInt(pipeline.events)} events in ${pipeline.batches} batches (mean ${pipeline.meanBatchSize}) ` +
      `over ${round(pipeline.seconds, 2)} s; start-up ${formatInt(pipeline.startupMs)} ms. ` +
      `Aggregating ${result.metrics.active} active metric definitions (+ per-type event counts).`,
  );
  console.log(`Enrichment: ${result.enrichment}`);
  console.log(
    `Publish (setup, not a stage): ${formatInt(result.publish.eventsPerSecond)} events/s, ` +
      `${result.publish.deduplicated} producer retries dropped by JetStream dedup.`,
  );
  console.log(line);
}

export function printProfile(summary: ProfileSummary, preload: PreloadReport | undefined): void {
  const pct = (share: number) => `${(share * 100).toFixed(1).padStart(5)} %`;
  console.log(`\nProcessor CPU profile over ${summary.windowMs} ms (main thread; idle ${summary.idleMs} ms)`);
  console.log("  self time by category:");
  for (const c of summary.categories)
    console.log(`    ${pct(c.share)}  ${formatInt(c.ms).padStart(7)} ms  ${c.name}`);
  console.log("  top self time by function:");
  for (const f of summary.topSelf) console.log(`    ${pct(f.share)}  ${f.name}`);
  console.log("  total (inclusive) time, processor functions:");
  for (const f of summary.inclusive) console.log(`    ${pct(f.share)}  ${f.name}`);
  if (!preload) return;
  const window = preload.windowMs;
  console.log(
    `\nProcessor over the same window (${round(window)} ms): CPU ${round(preload.cpuUserMs + preload.cpuSystemMs)} ms ` +
      `(${pct((preload.cpuUserMs + preload.cpuSystemMs) / window).trim()} of one core), ` +
      `event-loop utilisation ${pct(preload.eventLoopUtilization).trim()}`,
  );
  const tx = preload.transactions;
  console.log(
    `  transactions: ${tx.count}, ${round(tx.totalMs)} ms in BEGIN…COMMIT (${pct(tx.totalMs / window).trim()} of the window), ` +
      `mean ${round(tx.totalMs / Math.max(1, tx.count), 2)} ms, max ${round(tx.maxMs, 1)} ms`,
  );
  console.log("  SQL statements (wall time incl. pg parameter encoding and row parsing):");
  const statements = Object.entries(preload.statements).sort((a, b) => b[1].totalMs - a[1].totalMs);
  for (const [kind, s] of statements) {
    console.log(
      `    ${pct(s.totalMs / window)}  ${formatInt(s.totalMs).padStart(6)} ms  n=${String(s.count).padStart(4)}  ` +
        `mean ${round(s.totalMs / s.count, 2)} ms  max ${round(s.maxMs, 1)} ms  ` +
        `rows sent ${formatInt(s.paramRows)}  rows back ${formatInt(s.rows)}  ${kind}`,
    );
  }
}

/** Writes bench/results/<timestamp>.json and bench/results/latest.json; returns both paths. */
export function writeResults(resultsDir: string, result: BenchResult): string[] {
  mkdirSync(resultsDir, { recursive: true });
  const stamp = result.startedAt.replace(/[:.]/g, "-");
  const text = `${JSON.stringify(result, null, 2)}\n`;
  const files = [path.join(resultsDir, `${stamp}.json`), path.join(resultsDir, "latest.json")];
  for (const file of files) writeFileSync(file, text);
  return files;
}
