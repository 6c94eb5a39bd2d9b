import {
  RESOLUTION_MS,
  SNAPSHOT_SPAN_MS,
  subscriptionId,
  type BucketState,
  type MetricBucket,
  type MetricDefinition,
  type Resolution,
} from "../../server/contract";
import type { DashboardPlan } from "./dashboard-plan";
import { combine, perSecond, ratio, tileOf, type Point, type Tile } from "./figures";
import { slots, topGroups, type GroupCount, type SeriesState, type Slot } from "./live-series";

/** One row of a chart: a bucket slot with one value per line. */
export interface ChartRow {
  t: number;
  state: BucketState;
  [line: string]: number | string | null;
}

export interface TileView {
  id: string;
  label: string;
  unit: string;
  format: "rate" | "ms" | "percent" | "count" | "amount";
  source: string;
  tile: Tile;
}

export interface LiveView {
  from: number;
  to: number;
  bucketMs: number;
  watermark: number | null;
  tiles: TileView[];
  throughput: { rows: ChartRow[]; lines: string[] };
  latency: ChartRow[] | null;
  errorRate: ChartRow[] | null;
  breakdowns: { id: string; label: string; windowMs: number; groups: GroupCount[] }[];
  /** Fraud decisions per minute by outcome; null without a grouped decision metric. */
  decisions: ChartRow[] | null;
}

export const DECISION_OUTCOMES = ["approved", "flagged"] as const;

const TOP_N = 8;
const TOP_WINDOW_MS: Record<Resolution, number> = { "10s": 5 * 60_000, "1m": 30 * 60_000 };

function rowsOf(points: Record<string, Point[]>, template: Slot[]): ChartRow[] {
  return template.map((slot, i) => {
    const row: ChartRow = { t: slot.t, state: slot.state };
    let state: BucketState = "final";
    for (const [line, series] of Object.entries(points)) {
      const point = series[i];
      row[line] = point?.value ?? null;
      if (point?.state === "open") state = "open";
      else if (point?.state === "revised" && state !== "open") state = "revised";
    }
    row.state = state;
    return row;
  });
}

/** Everything the live page draws, from the subscribed series at one resolution. Pure. */
export function buildView(
  plan: DashboardPlan,
  series: Record<string, SeriesState | undefined>,
  resolution: Resolution,
  now: number,
): LiveView {
  const bucketMs = RESOLUTION_MS[resolution];
  const to = Math.floor(now / bucketMs) * bucketMs + bucketMs;
  const from = to - SNAPSHOT_SPAN_MS[resolution];
  const stateOf = (d: MetricDefinition | null | undefined, grouped = false) =>
    d
      ? series[
          subscriptionId({
            metric: d.name,
            resolution,
            ...(grouped && d.groupBy ? { groupBy: d.groupBy } : {}),
          })
        ]
      : undefined;
  const template = slots({ subscription: "", resolution, seq: 0, watermark: null, buckets: {} }, from, to);
  const slotsOf = (d: MetricDefinition | null | undefined) => {
    const state = stateOf(d);
    return state ? slots(state, from, to) : template.map((s) => ({ ...s, bucket: null }));
  };
  const one = (d: MetricDefinition | null | undefined, pick: (b: MetricBucket | null) => number | null) =>
    combine([slotsOf(d)], ([b]) => pick(b ?? null));
  const perMinute = 60_000 / bucketMs;
  const watermarks = Object.values(series).flatMap((s) => (s?.watermark == null ? [] : [s.watermark]));

  const throughputPoints = Object.fromEntries(
    plan.throughput.map((d) => [d.eventType, combine([slotsOf(d)], perSecond(bucketMs))]),
  );
  const tiles: TileView[] = [];
  const add = (view: Omit<TileView, "tile">, points: Point[] | null) => {
    if (points) tiles.push({ ...view, tile: tileOf(points) });
  };
  add(
    {
      id: "events-per-second",
      label: "Events/s",
      unit: "/s",
      format: "rate",
      source: plan.throughput.map((d) => d.name).join(" + "),
    },
    plan.throughput.length ? combine(plan.throughput.map(slotsOf), perSecond(bucketMs)) : null,
  );
  const latency = plan.latency;
  add(
    { id: "latency-p95", label: "API latency p95", unit: "ms", format: "ms", source: latency?.name ?? "" },
    latency ? one(latency, (b) => b?.summary.p95 ?? null) : null,
  );
  const errors = plan.errorRate;
  add(
    {
      id: "error-rate",
      label: "Error rate",
      unit: "%",
      format: "percent",
      source: errors ? `${errors.errors.name} / ${errors.total.name}` : "",
    },
    errors ? combine([slotsOf(errors.errors), slotsOf(errors.total)], ratio) : null,
  );
  add(
    {
      id: "active-users",
      label: "Active users",
      unit: "",
      format: "count",
      source: plan.activeUsers?.name ?? "",
    },
    plan.activeUsers ? one(plan.activeUsers, (b) => b?.summary.distinct ?? 0) : null,
  );
  add(
    {
      id: "transactions-per-minute",
      label: "Transactions/min",
      unit: "/min",
      format: "rate",
      source: plan.transactions?.name ?? "",
    },
    plan.transactions ? one(plan.transactions, (b) => (b?.summary.count ?? 0) * perMinute) : null,
  );
  add(
    {
      id: "amount-per-minute",
      label: "Amount/min",
      unit: plan.amount?.unit ?? "",
      format: "amount",
      source: plan.amount?.name ?? "",
    },
    plan.amount ? one(plan.amount, (b) => (b?.summary.sum ?? 0) * perMinute) : null,
  );

  const fraud = plan.fraud;
  add(
    {
      id: "flag-rate",
      label: "Fraud flag rate",
      unit: "%",
      format: "percent",
      source: fraud?.flagged && fraud.scored ? `${fraud.flagged.name} / ${fraud.scored.name}` : "",
    },
    fraud?.flagged && fraud.scored ? combine([slotsOf(fraud.flagged), slotsOf(fraud.scored)], ratio) : null,
  );
  add(
    {
      id: "decision-p99",
      label: "Decision p99",
      unit: "ms",
      format: "ms",
      source: fraud?.latency?.name ?? "",
    },
    fraud?.latency ? one(fraud.latency, (b) => b?.summary.p99 ?? null) : null,
  );
  const outcomes = fraud?.byOutcome ? stateOf(fraud.byOutcome, true) : undefined;
  const decisions = fraud?.byOutcome
    ? rowsOf(
        Object.fromEntries(
          DECISION_OUTCOMES.map((o) => [
            o,
            combine(
              [outcomes ? slots(outcomes, from, to, o) : template],
              ([b]) => (b?.summary.count ?? 0) * perMinute,
            ),
          ]),
        ),
        template,
      )
    : null;

  const window = TOP_WINDOW_MS[resolution];
  return {
    from,
    to,
    bucketMs,
    watermark: watermarks.length ? Math.min(...watermarks) : null,
    tiles,
    throughput: { rows: rowsOf(throughputPoints, template), lines: plan.throughput.map((d) => d.eventType) },
    latency: latency
      ? rowsOf(
          {
            p50: one(latency, (b) => b?.summary.p50 ?? null),
            p95: one(latency, (b) => b?.summary.p95 ?? null),
            p99: one(latency, (b) => b?.summary.p99 ?? null),
          },
          template,
        )
      : null,
    errorRate: errors
      ? rowsOf({ rate: combine([slotsOf(errors.errors), slotsOf(errors.total)], ratio) }, template)
      : null,
    breakdowns: plan.breakdowns.map((d) => {
      const state = stateOf(d, true);
      return {
        id: d.name,
        label: `${d.eventType.replaceAll("_", " ")}s by ${d.groupBy ?? ""}`,
        windowMs: window,
        groups: state ? topGroups(state, to - window, to, TOP_N) : [],
      };
    }),
    decisions,
  };
}
