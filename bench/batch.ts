/**
 * Batch-layer benchmark (issue 6, scheduler side): what the processor pays for keeping
 * `rollup_periods` truthful, and how fast compaction and reconciliation run. Everything runs
 * in a database of its own that is dropped at the end.
 *
 *   (a) hot path: `commitBatch` of 1000 events with the mark-dirty statement, and the
 *       statement alone, with a realistic 190 days of compacted period rows present;
 *   (b) compaction: every hour of a day (1m → 1h), then the day (1h → 1d);
 *   (c) reconciliation: closed hours recomputed from raw events and compared.
 *
 * Run: npm run bench:batch [-- --events-per-hour N]   (JSON in bench/results/batch-*.json)
 */
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { classifyBatch, DEFAULT_TIME_SETTINGS } from "../server/core/engine";
import { DAY_MS, HOUR_MS, hoursOfDay } from "../server/core/periods";
import { createDbClients } from "../server/db/clients";
import { compactPeriod } from "../server/db/compaction-store";
import { commitBatch } from "../server/db/event-store";
import { loadDefinitions } from "../server/db/metric-definitions";
import { markPeriodsDirty } from "../server/db/period-store";
import { reconcileHour } from "../server/db/reconcile-store";
import { eventsAt } from "../server/testing/batch-fixtures";
import { createTestDatabase } from "../server/testing/harness";
import { seededRandom } from "../server/testing/seeded-random";
import { percentile, round } from "./lib/stats";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const flag = process.argv.indexOf("--events-per-hour");
const EVENTS_PER_HOUR = flag > 0 ? Number(process.argv[flag + 1]) : 2000;
const DAY = Date.UTC(2026, 10, 20);

const stats = (samples: number[]) => {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    n: sorted.length,
    p50: round(percentile(sorted, 0.5) ?? 0, 3),
    p95: round(percentile(sorted, 0.95) ?? 0, 3),
    max: round(sorted.at(-1) ?? 0, 3),
  };
};
const timed = async <T>(work: () => Promise<T>): Promise<[T, number]> => {
  const start = performance.now();
  const result = await work();
  return [result, performance.now() - start];
};

async function main() {
  const database = await createTestDatabase("nowcast_bench_batch");
  const db = createDbClients(database.url, { max: 4 });
  try {
    const { definitions } = await loadDefinitions(db.pool);
    const random = seededRandom(42);
    // 190 days of compacted hours and days before DAY: what a long-running system holds. Steps
    // in hours: an interval of days on timestamptz would follow the session's zone.
    await db.pool.query(
      `INSERT INTO rollup_periods (resolution, period_start, status, compacted_at)
       SELECT '1h', h, 'compacted', now() FROM generate_series($1::timestamptz, $2::timestamptz - interval '1 hour', interval '1 hour') h
       UNION ALL SELECT '1d', d, 'compacted', now() FROM generate_series($1::timestamptz, $2::timestamptz - interval '24 hours', interval '24 hours') d`,
      [new Date(DAY - 190 * DAY_MS), new Date(DAY)],
    );

    // (a) the processor's commit of 1000-event batches over DAY, in event-time order.
    const times = hoursOfDay(DAY)
      .flatMap((h) => Array.from({ length: EVENTS_PER_HOUR }, () => h + random.int(0, HOUR_MS - 1)))
      .sort((a, b) => a - b);
    times.push(DAY + DAY_MS + HOUR_MS);
    const events = eventsAt(random, times, "b");
    let clock = { maxEventTime: null as number | null };
    const commits: number[] = [];
    for (let i = 0; i < events.length; i += 1000) {
      const batch = events.slice(i, i + 1000);
      const classified = classifyBatch(clock, batch, DEFAULT_TIME_SETTINGS, Date.now());
      clock = classified.clock;
      const [, ms] = await timed(() =>
        commitBatch(db.pool, {
          consumer: "bench",
          streamSeq: i + batch.length,
          events: batch.map((event, j) => ({ event, lateness: classified.lateness[j] ?? "on_time" })),
          deadLetters: [],
          receivedAt: Date.now(),
          clock,
          definitions,
        }),
      );
      commits.push(ms);
    }
    const markSamples: number[] = [];
    const client = await db.pool.connect();
    try {
      for (let i = 0; i < 500; i++) {
        const minute = DAY + (i % 1440) * 60_000;
        await client.query("BEGIN");
        const [, ms] = await timed(() => markPeriodsDirty(client, [minute, minute + 60_000]));
        await client.query("ROLLBACK");
        markSamples.push(ms);
      }
    } finally {
      client.release();
    }

    // (b) compaction of DAY's 24 hours, then the day.
    const hourMs: number[] = [];
    let sourceRows = 0;
    for (const hour of hoursOfDay(DAY)) {
      const [result, ms] = await timed(() => compactPeriod(db.pool, "1h", hour));
      hourMs.push(ms);
      sourceRows += result.sourceRows;
    }
    const [dayResult, dayMs] = await timed(() => compactPeriod(db.pool, "1d", DAY));

    // (c) reconciliation of every hour of DAY (no drift expected: the stream saw everything).
    const reconcileMs: number[] = [];
    let drifted = 0;
    for (const hour of hoursOfDay(DAY)) {
      const [result, ms] = await timed(() => reconcileHour(db.pool, hour, definitions, { now: Date.now() }));
      reconcileMs.push(ms);
      drifted += result.rowsDrifted;
    }

    const commit = stats(commits);
    const mark = stats(markSamples);
    const result = {
      schema: 1,
      kind: "batch",
      startedAt: new Date().toISOString(),
      machine: { cpus: os.cpus().length, node: process.version, loadAverage: os.loadavg() },
      eventsPerHour: EVENTS_PER_HOUR,
      events: events.length,
      hotPath: {
        commitBatch1000Ms: commit,
        markDirtyStatementMs: mark,
        markDirtyShareOfCommitP50: round(mark.p50 / commit.p50, 4),
      },
      compaction: {
        hourMs: stats(hourMs),
        minuteRowsPerHour: round(sourceRows / 24),
        minuteRowsMergedPerSecond: round(sourceRows / (hourMs.reduce((a, b) => a + b, 0) / 1000)),
        dayMs: round(dayMs, 3),
        dayRows: dayResult.rows,
      },
      reconciliation: {
        hourMs: stats(reconcileMs),
        rawEventsPerSecond: round((EVENTS_PER_HOUR * 24) / (reconcileMs.reduce((a, b) => a + b, 0) / 1000)),
        rowsDrifted: drifted,
      },
    };
    const dir = path.join(ROOT, "bench", "results");
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `batch-${result.startedAt.replaceAll(":", "-").replace(".", "-")}.json`);
    writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    writeFileSync(path.join(dir, "batch-latest.json"), `${JSON.stringify(result, null, 2)}\n`);
    console.table({
      "commitBatch (1000 events) ms": commit,
      "mark-dirty statement ms": mark,
      "compact 1 hour ms": result.compaction.hourMs,
      "reconcile 1 hour ms": result.reconciliation.hourMs,
    });
    console.log(
      `mark-dirty = ${(result.hotPath.markDirtyShareOfCommitP50 * 100).toFixed(2)} % of a commit (p50); ` +
        `compaction merges ${result.compaction.minuteRowsMergedPerSecond} 1m rows/s; day ${result.compaction.dayMs} ms; ` +
        `reconciliation ${result.reconciliation.rawEventsPerSecond} raw events/s (drifted rows: ${drifted})`,
    );
    console.log(`wrote ${path.relative(ROOT, file)}`);
  } finally {
    await db.close();
    await database.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
