"use client";

import { useQuery } from "@tanstack/react-query";
import { useEffect, useMemo, useState } from "react";
import { chartOverlay } from "../alerts/live-overlays";
import { alertsQuery } from "../alerts/queries";
import type { Resolution } from "../../server/contract";
import { planDashboard, planSubscriptions } from "./dashboard-plan";
import { LiveToolbar } from "./LiveToolbar";
import { PipelinePanel } from "./PipelinePanel";
import { StatTile } from "./StatTile";
import { TimeSeriesChart } from "./TimeSeriesChart";
import { TopList } from "./TopList";
import { useLiveMetrics } from "./use-live-metrics";
import { useLiveSubscriptions } from "./use-live-subscriptions";
import { useTheme, type Theme } from "./use-theme";
import { buildView } from "./view-model";

const PALETTE = ["#4f9cf9", "#f5a524", "#17c964", "#f31260", "#9353d3", "#06b6d4", "#a3a3a3"];

function useNow(intervalMs: number, frozen: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (frozen) return;
    const id = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(id);
  }, [intervalMs, frozen]);
  return now;
}

/** The live operations page: tiles, charts, top-N lists and the pipeline panel. */
export function LiveDashboard({ kiosk, theme: forcedTheme }: { kiosk: boolean; theme: Theme | null }) {
  const [resolution, setResolution] = useState<Resolution>("10s");
  const { theme, toggle } = useTheme(forcedTheme);
  const metrics = useLiveMetrics();
  const plan = useMemo(() => planDashboard(metrics.data ?? []), [metrics.data]);
  const subscriptions = useMemo(
    () => (metrics.data ? planSubscriptions(plan, resolution) : []),
    [metrics.data, plan, resolution],
  );
  const live = useLiveSubscriptions(subscriptions);
  // While paused the page shows what it showed when pausing; live data keeps merging underneath.
  const [frozen, setFrozen] = useState<Pick<typeof live, "series" | "pipeline"> | null>(null);
  const paused = frozen !== null;
  const series = frozen?.series ?? live.series;
  const pipeline = frozen ? frozen.pipeline : live.pipeline;
  const now = useNow(1000, paused);
  const view = useMemo(() => buildView(plan, series, resolution, now), [plan, series, resolution, now]);
  // What the tiles would show if not paused: on each tile as data-live-value, so a test can
  // see that newer data has arrived while the page holds the old figures.
  const liveTiles = useMemo(
    () => (paused ? buildView(plan, live.series, resolution, now).tiles : []),
    [paused, plan, live.series, resolution, now],
  );

  useEffect(() => {
    if (kiosk) document.documentElement.dataset.kiosk = "1";
    else delete document.documentElement.dataset.kiosk;
  }, [kiosk]);

  const chartProps = { from: view.from, to: view.to, bucketMs: view.bucketMs };
  // Alert rules on the latency and error-rate charts (the same query as the alert bar).
  const alerts = useQuery(alertsQuery(false));
  const overlays = useMemo(() => {
    const rules = alerts.data?.rules ?? [];
    const events = alerts.data?.events ?? [];
    const latency = plan.latency?.name;
    const errors = plan.errorRate;
    return {
      latency: chartOverlay(
        rules,
        events,
        (s) =>
          s.kind === "metric" && s.metric === latency && ["p50", "p95", "p99"].includes(s.statistic)
            ? 1
            : null,
        view.from,
        view.to,
      ),
      errorRate: chartOverlay(
        rules,
        events,
        (s) =>
          s.kind === "ratio" &&
          s.numerator.metric === errors?.errors.name &&
          s.denominator.metric === errors.total.name &&
          s.numerator.statistic === "count" &&
          s.denominator.statistic === "count"
            ? 0.01
            : null,
        view.from,
        view.to,
      ),
    };
  }, [alerts.data, plan, view.from, view.to]);
  const error = metrics.error ? `Metric definitions unavailable: ${metrics.error.message}` : live.error;
  return (
    <main className="live" data-resolution={resolution} data-dropped-buckets={live.droppedBuckets}>
      <LiveToolbar
        connection={live.connection}
        now={now}
        watermark={view.watermark}
        resolution={resolution}
        onResolution={setResolution}
        paused={paused}
        onPause={() => setFrozen(paused ? null : { series: live.series, pipeline: live.pipeline })}
        theme={theme}
        onTheme={toggle}
        kiosk={kiosk}
      />
      {error ? (
        <p className="banner banner-error" role="alert">
          {error}
        </p>
      ) : null}
      <section className="tiles" aria-label="Key figures">
        {view.tiles.map((tile) => (
          <StatTile
            key={tile.id}
            view={tile}
            bucketMs={view.bucketMs}
            liveValue={liveTiles.find((t) => t.id === tile.id)?.tile.value}
          />
        ))}
      </section>
      <div className="grid">
        <TimeSeriesChart
          id="chart-throughput"
          title="Throughput by event type"
          rows={view.throughput.rows}
          lines={view.throughput.lines.map((key, i) => ({
            key,
            label: key,
            color: PALETTE[i % PALETTE.length] ?? "#888",
          }))}
          kind="stacked"
          format="rate"
          unit="/s"
          {...chartProps}
        />
        {view.latency ? (
          <TimeSeriesChart
            id="chart-latency"
            title="API latency"
            rows={view.latency}
            lines={[
              { key: "p50", label: "p50", color: "#17c964" },
              { key: "p95", label: "p95", color: "#f5a524" },
              { key: "p99", label: "p99", color: "#f31260" },
            ]}
            kind="lines"
            format="ms"
            unit="ms"
            overlay={overlays.latency}
            {...chartProps}
          />
        ) : null}
        {view.errorRate ? (
          <TimeSeriesChart
            id="chart-error-rate"
            title="Error rate"
            rows={view.errorRate}
            lines={[{ key: "rate", label: "5xx share", color: "#f31260" }]}
            kind="lines"
            format="percent"
            unit="%"
            overlay={overlays.errorRate}
            {...chartProps}
          />
        ) : null}
        {view.decisions ? (
          <TimeSeriesChart
            id="chart-fraud-decisions"
            title="Fraud decisions by outcome"
            rows={view.decisions}
            lines={[
              { key: "approved", label: "approved", color: "#17c964" },
              { key: "flagged", label: "flagged", color: "#f31260" },
            ]}
            kind="stacked"
            format="rate"
            unit="/min"
            {...chartProps}
          />
        ) : null}
        <PipelinePanel stats={pipeline} />
        {view.breakdowns.map((b) => (
          <TopList
            key={b.id}
            id={b.id}
            title={b.label}
            groups={b.groups}
            windowMinutes={b.windowMs / 60_000}
          />
        ))}
      </div>
    </main>
  );
}
