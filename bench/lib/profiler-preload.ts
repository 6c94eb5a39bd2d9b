/**
 * Preload for the processor child in `--profile` runs (node --import tsx --import <this>):
 * no product code changes. It
 *  - times every pg query (wall time from the call to its result, which includes pg's
 *    client-side parameter encoding and row parsing) and every BEGIN…COMMIT transaction, by
 *    wrapping pg.Client.prototype.query (the pool's clients share that prototype);
 *  - CPU-profiles the process through node:inspector;
 *  - records event-loop utilisation and process CPU time.
 * The bench sends SIGUSR2 once to start recording (at the first commit) and once to stop;
 * on stop it writes <BENCH_PROFILE_OUT>.cpuprofile and then <BENCH_PROFILE_OUT>.json.
 */
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { performance, type EventLoopUtilization } from "node:perf_hooks";
import pg from "pg";

export interface StatementStats {
  count: number;
  totalMs: number;
  maxMs: number;
  rows: number;
  /** Sum of the array length of the first parameter (rows sent), where it is an array. */
  paramRows: number;
}

export interface PreloadReport {
  windowMs: number;
  cpuUserMs: number;
  cpuSystemMs: number;
  eventLoopUtilization: number;
  transactions: { count: number; totalMs: number; maxMs: number };
  statements: Record<string, StatementStats>;
}

const out = process.env.BENCH_PROFILE_OUT;
const SAMPLING_INTERVAL_US = 250;

let statements = new Map<string, StatementStats>();
let transactions = { count: 0, totalMs: 0, maxMs: 0 };
const openTransactions = new WeakMap<object, number>();

export function statementKind(text: string): string {
  const t = text.trim().replace(/\s+/g, " ");
  if (t.startsWith("INSERT INTO raw_events")) return "insert raw_events";
  if (t.startsWith("INSERT INTO metric_rollups AS r")) return "upsert event counts";
  if (t.startsWith("INSERT INTO metric_rollups (")) return "ensure metric rows";
  if (t.startsWith("SELECT r.metric")) return "lock + read metric rows";
  if (t.startsWith("UPDATE metric_rollups")) return "write metric rows";
  if (t.startsWith("INSERT INTO dead_letters")) return "insert dead_letters";
  if (t.startsWith("INSERT INTO consumer_checkpoints")) return "advance checkpoint";
  if (t.startsWith("SELECT name, description")) return "load metric definitions";
  return t.length > 40 ? `${t.slice(0, 40)}…` : t;
}

function record(client: object, kind: string, started: number, rows: number, paramRows: number) {
  const ms = performance.now() - started;
  const entry = statements.get(kind) ?? { count: 0, totalMs: 0, maxMs: 0, rows: 0, paramRows: 0 };
  entry.count++;
  entry.totalMs += ms;
  entry.maxMs = Math.max(entry.maxMs, ms);
  entry.rows += rows;
  entry.paramRows += paramRows;
  statements.set(kind, entry);
  if (kind === "COMMIT" || kind === "ROLLBACK") {
    const begun = openTransactions.get(client);
    if (begun !== undefined) {
      const txMs = performance.now() - begun;
      transactions.count++;
      transactions.totalMs += txMs;
      transactions.maxMs = Math.max(transactions.maxMs, txMs);
      openTransactions.delete(client);
    }
  }
}

const rowCountOf = (result: unknown): number => {
  if (typeof result !== "object" || result === null) return 0;
  const count = (result as { rowCount?: unknown }).rowCount;
  return typeof count === "number" ? count : 0;
};

type QueryFunction = (this: object, ...args: unknown[]) => unknown;
const prototype = pg.Client.prototype as unknown as { query: QueryFunction };
const originalQuery = prototype.query;
prototype.query = function timedQuery(this: object, ...args: unknown[]): unknown {
  const first = args[0];
  const text =
    typeof first === "string"
      ? first
      : typeof first === "object" && first !== null && typeof (first as { text?: unknown }).text === "string"
        ? (first as { text: string }).text
        : "";
  const kind = statementKind(text);
  const values = args[1];
  const firstParam = Array.isArray(values) ? (values[0] as unknown) : undefined;
  const paramRows = Array.isArray(firstParam) ? firstParam.length : 0;
  const started = performance.now();
  if (kind === "BEGIN") openTransactions.set(this, started);
  const last = args.at(-1);
  if (typeof last === "function") {
    const callback = last as (error: unknown, result: unknown) => void;
    args[args.length - 1] = (error: unknown, result: unknown) => {
      record(this, kind, started, rowCountOf(result), paramRows);
      callback(error, result);
    };
    return originalQuery.apply(this, args);
  }
  const result = originalQuery.apply(this, args);
  if (result instanceof Promise) {
    result.then(
      (value: unknown) => record(this, kind, started, rowCountOf(value), paramRows),
      () => record(this, `${kind} (failed)`, started, 0, paramRows),
    );
  }
  return result;
};

const session = new Session();
session.connect();
let recording = false;
let windowStart = 0;
let cpuStart = process.cpuUsage();
let eluStart: EventLoopUtilization = performance.eventLoopUtilization();

async function start() {
  statements = new Map();
  transactions = { count: 0, totalMs: 0, maxMs: 0 };
  await session.post("Profiler.enable");
  await session.post("Profiler.setSamplingInterval", { interval: SAMPLING_INTERVAL_US });
  await session.post("Profiler.start");
  windowStart = performance.now();
  cpuStart = process.cpuUsage();
  eluStart = performance.eventLoopUtilization();
  recording = true;
}

async function stop() {
  recording = false;
  const windowMs = performance.now() - windowStart;
  const cpu = process.cpuUsage(cpuStart);
  const elu = performance.eventLoopUtilization(eluStart);
  const { profile } = await session.post("Profiler.stop");
  if (!out) return;
  writeFileSync(`${out}.cpuprofile`, JSON.stringify(profile));
  const report: PreloadReport = {
    windowMs,
    cpuUserMs: cpu.user / 1000,
    cpuSystemMs: cpu.system / 1000,
    eventLoopUtilization: elu.utilization,
    transactions,
    statements: Object.fromEntries(statements),
  };
  writeFileSync(`${out}.json`, JSON.stringify(report, null, 2));
}

process.on("SIGUSR2", () => {
  void (recording ? stop() : start()).catch((error: unknown) => {
    process.stderr.write(`bench profiler preload: ${String(error)}\n`);
  });
});
