/**
 * Nowcast performance harness. In one run on this machine it measures
 *   (a) the raw limit of the message path: a no-op JetStream consumer that only acks;
 *   (b) the raw Postgres limit: set-based INSERT of the same events into raw_events;
 *   (c) the full pipeline: the real processor (validate, enrich*, aggregate every active
 *       metric definition, commit, ack) as a child process;
 * then a steady-rate phase for publish → commit latency, and the processor's peak RSS.
 * (*) enrichment: transactions get their customer and merchant attrs (server/core/enrich.ts).
 *
 * Stages (a) and (c) read the same stored messages: the events are published once to the
 * run's own stream and read by two durable consumers (the bench's no-op one, then the
 * processor's). Stage (b) writes into the run's own database, which is emptied again
 * before (c). Everything (database, stream) is created per run and removed at the end.
 *
 * Run: npm run bench   or   npx tsx bench/run.ts [--events N] [--profile] … (--help)
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import type { Profiler } from "node:inspector";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import pg from "pg";
import { natsNames, parseConfig } from "../server/config";
import { connectNats, setupEventStream } from "../server/nats/streams";
import { seedDemoDimensions } from "../server/simulator/dimensions";
import { createTestDatabase, deleteNamespace, NATS_URL, uniqueName } from "../server/testing/harness";
import { runFanout } from "./fanout";
import { parseArgs, USAGE } from "./lib/args";
import { withCpu } from "./lib/cpu";
import { summarizeProfile } from "./lib/cpu-profile";
import { LiveTracker } from "./lib/live-tracker";
import { runNoopStage } from "./lib/noop-consumer";
import { decodeBodies, runInsertStage } from "./lib/pg-insert";
import { runLatencyPhase, runPipelineStage } from "./lib/pipeline";
import { spawnProcessor, type ProcessorChild } from "./lib/processor-child";
import type { PreloadReport } from "./lib/profiler-preload";
import { prepublish } from "./lib/publish";
import {
  GOAL_RATIO,
  printProfile,
  printResults,
  writeResults,
  type BenchResult,
  type MachineInfo,
  type ProfileResult,
} from "./lib/report";
import { mib, round, waitFor } from "./lib/stats";
import { nowcastTypes } from "../server/db/int8";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const RESULTS_DIR = path.join(ROOT, "bench", "results");
const PROFILES_DIR = path.join(RESULTS_DIR, "profiles");
const PRELOAD = path.join(ROOT, "bench", "lib", "profiler-preload.ts");
const DEDUP_WINDOW_S = 120;

const log = (message: string) => console.log(`[bench] ${message}`);

function gitCommit(): string | null {
  try {
    return execFileSync("git", ["rev-parse", "HEAD"], {
      cwd: ROOT,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
  } catch {
    return null;
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const caseAt = argv.indexOf("--case");
  if (caseAt >= 0) {
    const name = argv[caseAt + 1];
    const rest = argv.filter((_, i) => i !== caseAt && i !== caseAt + 1);
    if (name === "fanout") return runFanout(argv);
    if (name === "history") {
      const { runHistoryBench } = await import("./history/run");
      return runHistoryBench(rest);
    }
    if (name === "snapshot-burst") {
      const { runSnapshotBurst } = await import("./snapshot-burst");
      return runSnapshotBurst(argv);
    }
    if (name === "alerts") {
      const { runAlertsBench } = await import("./alerts");
      return runAlertsBench(argv);
    }
    if (name === "score") {
      const { runScoreBench } = await import("./score/run");
      return runScoreBench(rest);
    }
    throw new Error(`unknown --case ${name ?? ""} (known: fanout, history, snapshot-burst, alerts, score)`);
  }
  const args = parseArgs(argv);
  if (args.help) {
    console.log(USAGE);
    return;
  }
  const startedAt = new Date();
  const cleanups: { what: string; run: () => Promise<unknown> }[] = [];
  let cleaning: Promise<void> | undefined;
  const cleanup = () =>
    (cleaning ??= (async () => {
      for (const step of cleanups.reverse()) {
        await step
          .run()
          .catch((error: unknown) => console.warn(`[bench] cleanup (${step.what}) failed: ${String(error)}`));
      }
    })());
  process.once("SIGINT", () => {
    console.warn("[bench] interrupted; cleaning up");
    void cleanup().finally(() => process.exit(130));
  });

  try {
    // ---- setup: database, stream, processor settings ------------------------------------
    const database = await createTestDatabase("nowcast_bench");
    cleanups.push({ what: `drop database ${database.name}`, run: () => database.drop() });
    const pool = new pg.Pool({
      connectionString: database.url,
      types: nowcastTypes,
      max: 2,
      application_name: "nowcast-bench",
    });
    cleanups.push({ what: "close bench pool", run: () => pool.end() });
    const backendPids = async () =>
      (
        await pool.query<{ pid: number }>(
          "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()",
        )
      ).rows.map((row) => row.pid);

    const namespace = uniqueName("bench");
    const names = natsNames(namespace);
    const nc = await connectNats(NATS_URL, "nowcast-bench");
    cleanups.push({ what: "close NATS connection", run: () => nc.close() });
    await setupEventStream(nc, { namespace, dedupWindowSeconds: DEDUP_WINDOW_S });
    cleanups.push({ what: `delete stream ${names.stream}`, run: () => deleteNamespace(namespace) });
    const jsm = await jetstreamManager(nc);
    const js = jetstream(nc);

    const processorEnv: Record<string, string> = {
      DATABASE_URL: database.url,
      NATS_URL,
      NOWCAST_NAMESPACE: namespace,
      NOWCAST_DEDUP_WINDOW_S: String(DEDUP_WINDOW_S),
      LOG_LEVEL: "warn",
      ...args.processorEnv,
    };
    const config = parseConfig({ ...process.env, ...processorEnv });

    const serverVersion = await pool.query<{ server_version: string }>("SHOW server_version");
    const machine: MachineInfo = {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? "unknown",
      totalMemoryMiB: Math.round(os.totalmem() / 2 ** 20),
      loadAverageAtStart: os.loadavg().map((v) => round(v, 2)),
      node: process.version,
      platform: `${os.platform()} ${os.arch()}`,
      kernel: os.release(),
      gitCommit: gitCommit(),
      postgres: serverVersion.rows[0]?.server_version ?? "unknown",
      natsServer: nc.info?.version ?? "unknown",
    };
    const defs = await pool.query<{ name: string; enabled: boolean }>(
      "SELECT name, enabled FROM metric_definitions ORDER BY name",
    );
    const activeMetrics = defs.rows.filter((d) => d.enabled).map((d) => d.name);
    // The demo's customers (c0…c1999) and merchants, which the generated transactions refer
    // to, so enrichment (where the processor has it) finds its dimension rows.
    await seedDemoDimensions(pool);
    const dimensionRows = await pool.query<{ customers: number; merchants: number }>(
      "SELECT (SELECT count(*) FROM customers)::int AS customers, (SELECT count(*) FROM merchants)::int AS merchants",
    );
    log(
      `database ${database.name}, stream ${names.stream}; ${activeMetrics.length}/${defs.rows.length} metric ` +
        `definitions active; load average ${machine.loadAverageAtStart.join(" ")}`,
    );

    // ---- publish once --------------------------------------------------------------------
    log(`publishing ${args.events} events (duplicates ${args.duplicates}) …`);
    const published = await prepublish(js, namespace, {
      events: args.events,
      duplicates: args.duplicates,
      distinctPaths: args.distinctPaths,
      seed: args.seed,
      runId: `${namespace}-n`,
    });
    const streamInfo = await jsm.streams.info(names.stream);
    const stored = streamInfo.state.messages;
    if (stored !== published.stored)
      throw new Error(`stream holds ${stored} messages, PubAcks said ${published.stored}`);
    log(
      `published in ${round(published.seconds, 2)} s (${Math.round(published.eventsPerSecond)}/s), ` +
        `${stored} stored, ${published.deduplicated} retries dropped, mean ${Math.round(published.bytes / published.published)} B`,
    );

    // ---- (a) no-op consumer ------------------------------------------------------------
    log("(a) no-op consumer (for await, as the processor reads) …");
    const noopSettings = {
      maxMessages: config.PROCESSOR_MAX_IN_FLIGHT,
      maxAckPending: config.PROCESSOR_MAX_IN_FLIGHT * 2,
      timeoutMs: 120_000,
    };
    const measured = <T extends { events: number }>(work: () => Promise<T>) =>
      withCpu(process.pid, backendPids, machine.cpus, work, (r) => r.events).then(({ result, cpu }) => ({
        ...result,
        cpu,
      }));
    const noop = await measured(() =>
      runNoopStage(nc, names.stream, stored, {
        ...noopSettings,
        durable: `${namespace}_noop`,
        mode: "iterator",
      }),
    );
    log(`(a) ${Math.round(noop.eventsPerSecond)} events/s (${round(noop.seconds, 2)} s)`);
    log("(a') the same with consume({ callback }) …");
    const noopCallback = await measured(() =>
      runNoopStage(nc, names.stream, stored, {
        ...noopSettings,
        durable: `${namespace}_noop_cb`,
        mode: "callback",
      }),
    );
    log(`(a') ${Math.round(noopCallback.eventsPerSecond)} events/s (${round(noopCallback.seconds, 2)} s)`);

    // ---- (b) set-based insert ------------------------------------------------------------
    log("(b) set-based insert …");
    const events = decodeBodies(published.bodies, Date.now());
    const insertClient = new pg.Client({
      connectionString: database.url,
      types: nowcastTypes,
      application_name: "nowcast-bench-insert",
    });
    await insertClient.connect();
    const insert = await measured(() => runInsertStage(insertClient, events, args.insertBatch)).finally(() =>
      insertClient.end(),
    );
    if (insert.inserted !== stored) throw new Error(`(b) inserted ${insert.inserted} of ${stored} rows`);
    await pool.query("TRUNCATE raw_events");
    log(
      `(b) ${Math.round(insert.eventsPerSecond)} events/s (${round(insert.seconds, 2)} s); raw_events emptied again`,
    );

    // ---- (c) full pipeline ---------------------------------------------------------------
    const tracker = new LiveTracker(nc, namespace);
    cleanups.push({ what: "live subscription", run: async () => tracker.close() });
    const profilePrefix = path.join(PROFILES_DIR, startedAt.toISOString().replace(/[:.]/g, "-"));
    if (args.profile) mkdirSync(PROFILES_DIR, { recursive: true });
    log(`(c) starting the processor${args.profile ? " under the CPU profiler" : ""} …`);
    const child: ProcessorChild = spawnProcessor({
      root: ROOT,
      env: args.profile ? { ...processorEnv, BENCH_PROFILE_OUT: profilePrefix } : processorEnv,
      preload: args.profile ? [PRELOAD] : [],
    });
    cleanups.push({ what: "stop processor", run: () => child.stop() });
    const pipeline = await runPipelineStage({
      tracker,
      child,
      expected: stored,
      timeoutMs: Math.max(60_000, stored * 2),
      cpus: machine.cpus,
      backendPids,
      onWindow: args.profile ? () => child.signal("SIGUSR2") : undefined,
    });
    const peakAfterPipeline = child.peak();
    log(
      `(c) ${Math.round(pipeline.eventsPerSecond)} events/s (${round(pipeline.seconds, 2)} s, ${pipeline.batches} batches)`,
    );

    let profile: ProfileResult | null = null;
    if (args.profile) {
      const reportFile = `${profilePrefix}.json`;
      await waitFor("the profiler's report", () => (existsSync(reportFile) ? true : undefined), 30_000);
      const cpuProfileFile = `${profilePrefix}.cpuprofile`;
      const cpuProfile = JSON.parse(readFileSync(cpuProfileFile, "utf8")) as Profiler.Profile;
      const preload = JSON.parse(readFileSync(reportFile, "utf8")) as PreloadReport;
      profile = {
        cpuProfileFile: path.relative(ROOT, cpuProfileFile),
        summary: summarizeProfile(cpuProfile),
        preload,
      };
    }

    // ---- latency phase -------------------------------------------------------------------
    let latency = null;
    if (args.latencyRate > 0) {
      log(`latency phase: ${args.latencyRate} events/s for ${args.latencySeconds} s …`);
      latency = await runLatencyPhase({
        js,
        namespace,
        tracker,
        rate: args.latencyRate,
        seconds: args.latencySeconds,
        seed: args.seed,
        runId: `${namespace}-l`,
        duplicates: args.duplicates,
      });
      log(`latency p50 ${latency.p50Ms} ms, p99 ${latency.p99Ms} ms`);
    }

    // ---- verification --------------------------------------------------------------------
    const checkpoint = await pool.query<{ batch_seq: string; stream_seq: string; events_total: string }>(
      "SELECT batch_seq, stream_seq, events_total FROM consumer_checkpoints WHERE consumer = $1",
      [names.durable],
    );
    const counts = await pool.query<{ raw: number; rollups: number; dead: number }>(
      `SELECT (SELECT count(*) FROM raw_events)::int AS raw, (SELECT count(*) FROM metric_rollups)::int AS rollups,
              (SELECT count(*) FROM dead_letters)::int AS dead`,
    );
    const lastSeq = (await jsm.streams.info(names.stream)).state.last_seq;
    // Enrichment is judged by its effect: stored transactions carrying a dimension attr.
    const enrichedRows = await pool.query<{ transactions: number; enriched: number }>(
      `SELECT count(*)::int AS transactions,
              count(*) FILTER (WHERE attrs ? 'merchant_category' OR attrs ? 'customer_segment')::int AS enriched
       FROM raw_events WHERE type = 'transaction'`,
    );
    const transactions = enrichedRows.rows[0]?.transactions ?? 0;
    const enriched = enrichedRows.rows[0]?.enriched ?? 0;
    const dims = dimensionRows.rows[0];
    const enrichment =
      enriched > 0
        ? `active: ${enriched} of ${transactions} stored transactions carry merchant_category/customer_segment ` +
          `(dimension tables seeded with ${dims?.customers ?? 0} customers, ${dims?.merchants ?? 0} merchants).`
        : `not observed: none of ${transactions} stored transactions carries merchant_category/customer_segment ` +
          `although ${dims?.customers ?? 0} customers and ${dims?.merchants ?? 0} merchants were seeded ` +
          "(the processor does not enrich, or stores un-enriched attrs).";
    const cp = checkpoint.rows[0];
    const total = Number(cp?.events_total ?? 0);
    const verification = {
      streamLastSeq: lastSeq,
      checkpointStreamSeq: Number(cp?.stream_seq ?? 0),
      checkpointEventsTotal: total,
      checkpointBatchSeq: Number(cp?.batch_seq ?? 0),
      rawEvents: counts.rows[0]?.raw ?? 0,
      enrichedTransactions: enriched,
      storedTransactions: transactions,
      metricRollupRows: counts.rows[0]?.rollups ?? 0,
      deadLetters: counts.rows[0]?.dead ?? 0,
      noopAckFloor: noop.ackFloor,
      allEventsStored: total === lastSeq && (counts.rows[0]?.raw ?? -1) === lastSeq,
      sequenceEqualsTotal: Number(cp?.stream_seq ?? -1) === total,
      liveBatchesContiguous: tracker.contiguous() && tracker.malformed === 0,
    };
    if (
      !verification.allEventsStored ||
      !verification.sequenceEqualsTotal ||
      !verification.liveBatchesContiguous
    ) {
      console.warn(`[bench] WARNING: verification failed: ${JSON.stringify(verification)}`);
    }

    // ---- stop the processor, report --------------------------------------------------------
    const exitCode = await child.stop();
    if (exitCode !== 0) console.warn(`[bench] processor exited with ${String(exitCode)}:\n${child.output()}`);
    const peak = child.peak();
    const finishedAt = new Date();
    const result: BenchResult = {
      schema: 1,
      label: args.label,
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      profiled: args.profile,
      args,
      machine,
      namespace,
      database: database.name,
      processorConfig: {
        batchSize: config.PROCESSOR_BATCH_SIZE,
        batchWaitMs: config.PROCESSOR_BATCH_WAIT_MS,
        maxInFlight: config.PROCESSOR_MAX_IN_FLIGHT,
        env: args.processorEnv,
      },
      metrics: { active: activeMetrics.length, total: defs.rows.length, names: activeMetrics },
      enrichment,
      publish: {
        published: published.published,
        stored: published.stored,
        deduplicated: published.deduplicated,
        bytes: published.bytes,
        seconds: published.seconds,
        eventsPerSecond: published.eventsPerSecond,
      },
      stages: { noop, noopCallback, insert, pipeline },
      ratios: {
        pipelineVsNoop: pipeline.eventsPerSecond / noop.eventsPerSecond,
        pipelineVsInsert: pipeline.eventsPerSecond / insert.eventsPerSecond,
        pipelineVsNoopCallback: pipeline.eventsPerSecond / noopCallback.eventsPerSecond,
      },
      goal: {
        target: `(c) >= ${GOAL_RATIO * 100} % of (a)`,
        met: pipeline.eventsPerSecond / noop.eventsPerSecond >= GOAL_RATIO,
      },
      latency,
      memory: {
        peakRssMiB: peak ? mib(peak.hwmKb) : null,
        peakRssAfterPipelineMiB: peakAfterPipeline ? mib(peakAfterPipeline.hwmKb) : null,
        rssTimeline: child.samples.map((s) => [s.t, mib(s.rssKb)]),
      },
      verification,
      profile,
      durationSeconds: round((finishedAt.getTime() - startedAt.getTime()) / 1000, 1),
    };
    printResults(result);
    if (profile) {
      printProfile(profile.summary, profile.preload);
      console.log(`\nCPU profile: ${profile.cpuProfileFile} (open in Chrome DevTools › Performance)`);
    }
    const files = writeResults(RESULTS_DIR, result);
    console.log(
      `\nResults: ${files.map((f) => path.relative(ROOT, f)).join(", ")} (run took ${result.durationSeconds} s)`,
    );
  } finally {
    await cleanup();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(
      `[bench] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    process.exit(1);
  },
);
