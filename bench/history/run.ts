/**
 * History benchmark (issue 6): ≥ 10 M raw events over 90 days (COPY) with their 1m/1h/1d
 * rollups, then p50/p95 of `series` through the real query code against the same answers by
 * GROUP BY over raw_events (percentile_cont), the batch baseline. Goal: p95 ≤ 50 ms and ≥ 100×.
 *
 * Run: npm run bench -- --case history [--events N] [--days D] [--reuse] [--keep] …
 * Data lives in its own database `nowcast_bench_history`, dropped at the end unless --keep;
 * --reuse measures an existing one without regenerating it.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { migrate } from "../../scripts/migrate";
import { BASE_DATABASE_URL } from "../../server/testing/harness";
import { generateBenchData } from "./generate";
import { measureCase, type CaseResult, type HistoryCase } from "./measure";
import { nowcastTypes } from "../../server/db/int8";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const DATABASE = "nowcast_bench_history";
const START = Date.parse("2026-08-01T00:00:00Z");
const log = (message: string) => console.log(`[bench:history] ${message}`);

export const HISTORY_USAGE = `Usage: npm run bench -- --case history [flags]

  --events N     raw events to generate                          [10000000]
  --days D       days they span                                  [90]
  --api-runs N   timed series requests per case                  [50]
  --raw-runs N   timed raw GROUP BY queries per case (0 = skip)  [3]
  --reuse        measure the existing ${DATABASE} without regenerating
  --keep         keep the database afterwards (for --reuse)
  --seed N       generator seed                                  [42]`;

interface HistoryArgs {
  events: number;
  days: number;
  apiRuns: number;
  rawRuns: number;
  reuse: boolean;
  keep: boolean;
  seed: number;
}

function parse(argv: readonly string[]): HistoryArgs {
  const args: HistoryArgs = {
    events: 10_000_000,
    days: 90,
    apiRuns: 50,
    rawRuns: 3,
    reuse: false,
    keep: false,
    seed: 42,
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      const n = Number(argv[++i]);
      if (!Number.isFinite(n) || n < 0) throw new Error(`${flag} needs a non-negative number`);
      return Math.floor(n);
    };
    if (flag === "--events") args.events = value();
    else if (flag === "--days") args.days = value();
    else if (flag === "--api-runs") args.apiRuns = Math.max(1, value());
    else if (flag === "--raw-runs") args.rawRuns = value();
    else if (flag === "--seed") args.seed = value();
    else if (flag === "--reuse") args.reuse = true;
    else if (flag === "--keep") args.keep = true;
    else throw new Error(`unknown flag ${flag ?? ""}\n\n${HISTORY_USAGE}`);
  }
  if (args.days < 30) throw new Error("--days must be at least 30 (the 30-day cases)");
  return args;
}

function databaseUrl(name: string): string {
  const url = new URL(BASE_DATABASE_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl("postgres") });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

const CASES: HistoryCase[] = [
  { label: "30 d at 1 h", days: 30, step: "1h", grouped: false, tz: "UTC", goal: true },
  { label: "30 d at 1 h, top 5 routes + other", days: 30, step: "1h", grouped: true, tz: "UTC", goal: true },
  { label: "90 d at 1 d", days: 90, step: "1d", grouped: false, tz: "UTC", goal: true },
  { label: "90 d at 1 d, top 5 routes + other", days: 90, step: "1d", grouped: true, tz: "UTC", goal: true },
  {
    label: "90 d at 1 d, New York days (from 1h rows)",
    days: 90,
    step: "1d",
    grouped: false,
    tz: "America/New_York",
    goal: false,
  },
  {
    label: "90 d at 1 d, Kolkata days (1h + 1m edges)",
    days: 90,
    step: "1d",
    grouped: false,
    tz: "Asia/Kolkata",
    goal: false,
  },
];

export async function runHistoryBench(argv: readonly string[]): Promise<void> {
  const args = parse(argv);
  const url = databaseUrl(DATABASE);
  const startedAt = new Date();
  let generated: Awaited<ReturnType<typeof generateBenchData>> | null = null;
  if (!args.reuse) {
    await admin(`DROP DATABASE IF EXISTS "${DATABASE}" WITH (FORCE)`);
    await admin(`CREATE DATABASE "${DATABASE}"`);
    await migrate(url, () => undefined);
  }
  const pool = new pg.Pool({
    connectionString: url,
    types: nowcastTypes,
    max: 4,
    application_name: "nowcast-bench-history",
  });
  const rawPool = new pg.Pool({
    connectionString: url,
    types: nowcastTypes,
    max: 1,
    application_name: "nowcast-bench-raw",
    options: "-c work_mem=256MB",
  });
  try {
    if (!args.reuse) {
      const scratch = path.join(ROOT, ".data", "bench-history-rollups.tsv");
      mkdirSync(path.dirname(scratch), { recursive: true });
      log(`generating ${args.events.toLocaleString("en-US")} events over ${args.days} days`);
      generated = await generateBenchData(pool, {
        events: args.events,
        days: args.days,
        start: START,
        seed: args.seed,
        rollupFile: scratch,
        log,
      });
      rmSync(scratch, { force: true });
      log(
        `raw COPY ${generated.rawSeconds.toFixed(0)} s, ${generated.rollupRows.toLocaleString("en-US")} rollup rows in ${generated.rollupSeconds.toFixed(0)} s`,
      );
    }
    const { rows } = await pool.query<{ n: number; end: number }>(
      `SELECT count(*)::float8 AS n, (extract(epoch FROM max(ts)) * 1000)::float8 AS end FROM raw_events`,
    );
    const events = rows[0]?.n ?? 0;
    const dataEnd = Math.ceil((rows[0]?.end ?? START) / 86_400_000) * 86_400_000;
    const deps = { pool, outOfOrdernessMs: 5_000, now: Date.now };
    const results: CaseResult[] = [];
    for (const c of CASES) {
      log(`measuring ${c.label} (${c.tz})`);
      const runs = c.goal
        ? { api: args.apiRuns, raw: args.rawRuns }
        : { api: Math.min(args.apiRuns, 20), raw: Math.min(args.rawRuns, 1) };
      results.push(await measureCase(deps, rawPool, dataEnd, c, runs));
    }
    printTable(events, results);
    writeResult({
      startedAt: startedAt.toISOString(),
      events,
      generated,
      machine: machine(),
      cases: results,
    });
  } finally {
    await pool.end();
    await rawPool.end();
    if (!args.keep) await admin(`DROP DATABASE IF EXISTS "${DATABASE}" WITH (FORCE)`);
  }
}

function machine() {
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? "",
    loadAverage: os.loadavg(),
    node: process.version,
  };
}

function printTable(events: number, results: CaseResult[]): void {
  console.log(
    `\nHistory series over ${events.toLocaleString("en-US")} raw events (goal: p95 ≤ 50 ms, ≥ 100× raw)\n`,
  );
  console.log(
    "| case | zone | points | api p50 ms | api p95 ms | raw p50 ms | raw p95 ms | raw/api (p95) | counts equal | max p95 diff vs percentile_cont | goal |",
  );
  console.log("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|");
  for (const r of results) {
    const met = r.api.p95Ms <= 50 && (r.speedup ?? 0) >= 100;
    console.log(
      `| ${r.label} | ${r.tz} | ${r.points} | ${r.api.p50Ms} | ${r.api.p95Ms} | ${r.raw?.p50Ms ?? "—"} | ${r.raw?.p95Ms ?? "—"} | ${r.speedup ?? "—"}× | ${r.agreement ? (r.agreement.countMismatches === 0 ? "yes" : `${r.agreement.countMismatches} differ`) : "—"} | ${r.agreement ? `${(r.agreement.maxP95RelativeDiff * 100).toFixed(2)} %` : "—"} | ${r.goal ? (met ? "met" : "MISSED") : "(extra)"} |`,
    );
  }
}

function writeResult(result: object): void {
  const dir = path.join(ROOT, "bench", "results");
  mkdirSync(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const text = `${JSON.stringify(result, null, 2)}\n`;
  for (const name of [`history-${stamp}.json`, "history-latest.json"])
    writeFileSync(path.join(dir, name), text);
  log(`results written to bench/results/history-${stamp}.json`);
}
