/**
 * Stage (c), the full pipeline, and the latency phase, both against the real processor
 * running as a child process.
 */
import type { JetStreamClient } from "@nats-io/jetstream";
import { cleanTraffic, publishSteady } from "./publish";
import type { Commit, LiveTracker } from "./live-tracker";
import { cpuBetween, markCpu, type CpuMark, type CpuUse } from "./cpu";
import type { ProcessorChild } from "./processor-child";
import { percentile, round } from "./stats";

export interface PipelineResult {
  /** Events committed between the first and the last commit (the first batch is the start line). */
  events: number;
  batches: number;
  seconds: number;
  eventsPerSecond: number;
  meanBatchSize: number;
  /** Processor spawn → first commit (tsx start-up, connects, first batch). */
  startupMs: number;
  /** Processor spawn → last commit. */
  spawnToDrainedSeconds: number;
  cpu: CpuUse;
}

/**
 * Waits until the processor has committed `expected` events and measures the rate from the
 * first commit to the last, using the processor's own `committedAt` stamps.
 */
export async function runPipelineStage(options: {
  tracker: LiveTracker;
  child: ProcessorChild;
  expected: number;
  timeoutMs: number;
  cpus: number;
  /** Pids of the Postgres backends serving the processor (looked up at the first commit). */
  backendPids: () => Promise<number[]>;
  /** Called at the first and at the last commit (the profiler's start and stop). */
  onWindow?: (edge: "start" | "end") => void;
}): Promise<PipelineResult> {
  const { tracker, child } = options;
  let startMark: Promise<{ mark: CpuMark; backends: number[] }> | undefined;
  tracker.onCommit = (commit) => {
    if (startMark || commit.total >= options.expected) return;
    options.onWindow?.("start");
    startMark = options.backendPids().then((backends) => ({ mark: markCpu(child.pid, backends), backends }));
  };
  const last: Promise<Commit> = tracker.waitForTotal(options.expected, options.timeoutMs);
  const exited = new Promise<never>((_, reject) => {
    const check = setInterval(() => {
      const code = child.exitCode();
      if (code === undefined) return;
      clearInterval(check);
      reject(new Error(`processor exited with code ${String(code)}`));
    }, 200);
    void last.finally(() => clearInterval(check)).catch(() => undefined);
  });
  let end: Commit;
  try {
    end = await Promise.race([last, exited]);
  } catch (error) {
    throw new Error(
      `${error instanceof Error ? error.message : String(error)}\n--- processor output ---\n${child.output()}`,
      { cause: error },
    );
  }
  tracker.onCommit = undefined;
  options.onWindow?.("end");
  const first = tracker.commits[0];
  if (!first || !startMark || first === end)
    throw new Error("the whole stream committed in one batch; raise --events");
  const start = await startMark;
  const endMark = markCpu(child.pid, [...new Set([...start.backends, ...(await options.backendPids())])]);
  const window = tracker.commits.slice(0, tracker.commits.indexOf(end) + 1);
  const seconds = (end.committedAt - first.committedAt) / 1000;
  const events = end.total - first.total;
  return {
    events,
    batches: window.length - 1,
    seconds,
    eventsPerSecond: events / seconds,
    meanBatchSize: round(end.total / window.length, 1),
    startupMs: first.committedAt - child.spawnedAt,
    spawnToDrainedSeconds: (end.committedAt - child.spawnedAt) / 1000,
    cpu: cpuBetween(start.mark, endMark, options.cpus, events),
  };
}

export interface LatencyResult {
  targetRate: number;
  achievedRate: number;
  seconds: number;
  published: number;
  measured: number;
  p50Ms: number | null;
  p90Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
  meanMs: number | null;
  batches: number;
  meanBatchSize: number;
  method: string;
}

export const LATENCY_METHOD =
  "Each event's publish time is Date.now() just before js.publish(); its stream sequence comes " +
  "from the PubAck. The processor publishes a LiveBatch after every commit + ack carrying " +
  "`committedAt` (its Date.now() after COMMIT) and `total` (the checkpoint's events_total). " +
  "The stream holds only valid, unique events (no faults; producer retries are dropped by " +
  "JetStream dedup and never get a sequence) and is read in order one batch at a time, so after " +
  "a commit with total T every sequence ≤ T is committed; this is verified at the end " +
  "(checkpoint stream_seq = events_total, batchSeq contiguous). Latency = committedAt of the first " +
  "commit with total ≥ seq − publish time. Both stamps are wall-clock ms on the same machine: " +
  "resolution 1 ms; publishing happens in bursts every ~2 ms (timer resolution).";

/** Steady-rate publish → commit latency against the running, drained processor. */
export async function runLatencyPhase(options: {
  js: JetStreamClient;
  namespace: string;
  tracker: LiveTracker;
  rate: number;
  seconds: number;
  seed: number;
  runId: string;
  duplicates: number;
}): Promise<LatencyResult> {
  const { tracker } = options;
  const before = tracker.commits.length;
  const generator = cleanTraffic(options.seed + 1, options.runId, options.duplicates);
  const sent = await publishSteady(options.js, options.namespace, generator, options.rate, options.seconds);
  const lastSeq = sent.records.reduce((max, r) => Math.max(max, r.seq), 0);
  await tracker.waitForTotal(lastSeq, 30_000);
  const commits = tracker.commits.slice(before);
  const firstCommitAtOrAfter = (seq: number): Commit | undefined => {
    let lo = 0;
    let hi = commits.length - 1;
    let found: Commit | undefined;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const commit = commits[mid];
      if (commit && commit.total >= seq) {
        found = commit;
        hi = mid - 1;
      } else lo = mid + 1;
    }
    return found;
  };
  const latencies: number[] = [];
  for (const record of sent.records) {
    const commit = firstCommitAtOrAfter(record.seq);
    if (commit) latencies.push(commit.committedAt - record.publishedAt);
  }
  latencies.sort((a, b) => a - b);
  const mean = latencies.length > 0 ? latencies.reduce((s, v) => s + v, 0) / latencies.length : null;
  const firstTotal = tracker.commits[before - 1]?.total ?? 0;
  const lastTotal = commits.at(-1)?.total ?? firstTotal;
  return {
    targetRate: options.rate,
    achievedRate: round(sent.published / sent.seconds),
    seconds: round(sent.seconds, 2),
    published: sent.published,
    measured: latencies.length,
    p50Ms: percentile(latencies, 0.5),
    p90Ms: percentile(latencies, 0.9),
    p99Ms: percentile(latencies, 0.99),
    maxMs: latencies.at(-1) ?? null,
    meanMs: mean === null ? null : round(mean, 1),
    batches: commits.length,
    meanBatchSize: commits.length > 0 ? round((lastTotal - firstTotal) / commits.length, 1) : 0,
    method: LATENCY_METHOD,
  };
}
