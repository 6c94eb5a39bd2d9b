import type pg from "pg";
import {
  MAX_BUCKETS,
  type BreakdownQuery,
  type BreakdownResponse,
  type SeriesQuery,
  type SeriesResponse,
} from "../contract/history";
import type { MetricDefinition } from "../contract/metrics";
import { assembleBreakdown, assembleSeries } from "../core/history/assemble";
import { alignDown, autoStep, bucketBoundaries, nextBoundary } from "../core/history/buckets";
import { coverBuckets, periodWindow } from "../core/history/cover";
import { loadDefinitions } from "../db/metric-definitions";
import { readCompactedPeriods, readCoverRows, readStreamEventTime } from "../db/history-queries";
import { pendingTooLate } from "../db/too-late-store";

/** Why a history request cannot be answered; mapped to HTTP once, in server/web/history-http.ts. */
export class HistoryError extends Error {
  override name = "HistoryError";
  constructor(
    readonly code: "unknown_metric" | "invalid_parameter",
    message: string,
    /** The query parameter at fault, for `invalid_parameter` (the message starts with it). */
    readonly param = "query",
    options?: ErrorOptions,
  ) {
    super(message, options);
  }

  /** The message without the leading "<param>: ". */
  get detail(): string {
    const prefix = `${this.param}: `;
    return this.message.startsWith(prefix) ? this.message.slice(prefix.length) : this.message;
  }
}

/** What the history verbs need from the process. */
export interface HistoryDeps {
  pool: pg.Pool;
  /** Watermark = stream event time − this (NOWCAST_OUT_OF_ORDERNESS_MS). */
  outOfOrdernessMs: number;
  /** The reader's clock: the watermark never passes now − out-of-orderness. */
  now(): number;
}

export async function findDefinition(pool: pg.Pool, name: string): Promise<MetricDefinition> {
  const { definitions } = await loadDefinitions(pool);
  const definition = definitions.find((d) => d.name === name);
  if (!definition) throw new HistoryError("unknown_metric", `there is no metric named "${name}"`);
  return definition;
}

function checkGroupAttr(definition: MetricDefinition, attr: string, param: string): void {
  if (definition.groupBy === attr) return;
  const allowed = definition.groupBy
    ? `only by "${definition.groupBy}"`
    : "not at all (it has no group-by attr)";
  throw new HistoryError(
    "invalid_parameter",
    `${param}: metric "${definition.name}" can be grouped ${allowed}, not by "${attr}"`,
    param,
  );
}

/**
 * Watermark of the stream, bounded by this reader's clock: a stored clock ahead of it (a skewed
 * host, older code) can never make a future minute final or a range ending later complete.
 */
async function watermarkOf(deps: HistoryDeps): Promise<number | null> {
  const eventTime = await readStreamEventTime(deps.pool);
  return eventTime === null ? null : Math.min(eventTime, deps.now()) - deps.outOfOrdernessMs;
}

/** `GET /api/metrics/{name}/series`: buckets in the query's zone from the coarsest usable tiers. */
export async function querySeries(
  deps: HistoryDeps,
  name: string,
  query: SeriesQuery,
): Promise<SeriesResponse> {
  const step = query.step === "auto" ? autoStep(query.from, query.to) : query.step;
  const boundaries = bucketBoundaries(query.from, query.to, step, query.tz, MAX_BUCKETS);
  if (!boundaries) {
    throw new HistoryError(
      "invalid_parameter",
      `step: ${step} gives more than ${MAX_BUCKETS} buckets over this range; choose a coarser step or auto`,
      "step",
    );
  }
  const start = boundaries[0] ?? query.from;
  const end = boundaries[boundaries.length - 1] ?? query.to;
  const window = periodWindow(start, end);
  // Independent reads in parallel: each is one round trip.
  const [definition, compacted, watermark, pending] = await Promise.all([
    findDefinition(deps.pool, name),
    readCompactedPeriods(deps.pool, window.from, window.to),
    watermarkOf(deps),
    pendingTooLate(deps.pool, start, end),
  ]);
  if (query.groupBy) checkGroupAttr(definition, query.groupBy, "groupBy");
  const segments = coverBuckets(boundaries, compacted);
  const rows = await readCoverRows(deps.pool, name, segments, query.groupBy ? "per-group" : "all-groups");
  return assembleSeries({
    definition,
    tz: query.tz,
    boundaries,
    rows,
    watermark,
    pendingTooLate: pending,
    limit: query.limit,
    step,
    groupBy: query.groupBy ?? null,
  });
}

/** `GET /api/metrics/{name}/breakdown`: one merged state per group over [from, to) (whole minutes). */
export async function queryBreakdown(
  deps: HistoryDeps,
  name: string,
  query: BreakdownQuery,
): Promise<BreakdownResponse> {
  const definition = await findDefinition(deps.pool, name);
  checkGroupAttr(definition, query.by, "by");
  const start = alignDown(query.from, "1m", "UTC");
  const lastMinute = alignDown(query.to - 1, "1m", "UTC");
  const boundaries = [start, nextBoundary(lastMinute, "1m", "UTC")];
  const window = periodWindow(start, boundaries[1] ?? start);
  const end = boundaries[1] ?? start;
  const [compacted, watermark, pending] = await Promise.all([
    readCompactedPeriods(deps.pool, window.from, window.to),
    watermarkOf(deps),
    pendingTooLate(deps.pool, start, end),
  ]);
  const rows = await readCoverRows(deps.pool, name, coverBuckets(boundaries, compacted), "both");
  return assembleBreakdown({
    definition,
    tz: query.tz,
    boundaries,
    rows: rows.filter((row) => row.groupKey !== ""),
    totalRows: rows.filter((row) => row.groupKey === ""),
    watermark,
    pendingTooLate: pending,
    limit: query.limit,
    by: query.by,
  });
}
