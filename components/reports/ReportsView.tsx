"use client";

import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useEffect, useMemo, useRef, useState, useSyncExternalStore } from "react";
import type { SeriesResponse } from "../../server/contract/history";
import { ReportChart } from "./ReportChart";
import { ReportControls } from "./ReportControls";
import { ReportTable } from "./ReportTable";
import type { SeriesParams } from "./query-options";
import { parseReportState, previousPeriod, reportSearch, type ReportState, type Stat } from "./report-state";
import { buildReportTable, chartRows, formatLocal, isEmptySeries, reportCsv } from "./report-table";
import styles from "./reports.module.css";
import { useMetricsQuery } from "./use-metrics-query";
import { useSeriesQuery } from "./use-series-query";

/** The browser's zone; rendering waits for the client because the server does not know it. */
const noSubscription = () => () => undefined;
const browserZoneSnapshot = () => Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
function useBrowserZone(): string | null {
  return useSyncExternalStore(noSubscription, browserZoneSnapshot, () => null);
}

function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: "text/csv;charset=utf-8" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** /reports: history of one metric, its state kept in the URL. */
export function ReportsView() {
  const browserZone = useBrowserZone();
  return browserZone ? <Report browserZone={browserZone} /> : <main className="page" aria-busy="true" />;
}

function Report({ browserZone }: { browserZone: string }) {
  const router = useRouter();
  const pathname = usePathname();
  const search = useSearchParams();
  const [now] = useState(() => Date.now());
  const state = useMemo(
    () => parseReportState(new URLSearchParams(search.toString()), { now, tz: browserZone }),
    [search, now, browserZone],
  );
  const metrics = useMetricsQuery();
  const definitions = useMemo(() => metrics.data?.metrics ?? [], [metrics.data]);
  const definition = definitions.find((m) => m.name === state.metric);
  // Without a `stat` in the URL, show what the metric is defined to aggregate.
  const stat: Stat = search.get("stat") ? state.stat : (definition?.aggregation ?? "count");
  const view: ReportState = { ...state, stat };

  // Changes apply through the URL. Two changes before it re-renders must not drop the first:
  // build on the last requested state while the URL is still the one it was requested from.
  const searchText = search.toString();
  const pending = useRef<{ from: string; state: ReportState } | null>(null);
  const update = (patch: Partial<ReportState>) => {
    const base = pending.current?.from === searchText ? pending.current.state : view;
    const next = { ...base, ...patch };
    pending.current = { from: searchText, state: next };
    const params = new URLSearchParams(reportSearch(next));
    // A change made before the definitions arrive must not pin the "count" fallback as the
    // statistic: leave it out so the metric's own aggregation applies once it is known.
    if (patch.stat === undefined && !search.get("stat") && !definition) params.delete("stat");
    router.replace(`${pathname}?${params.toString()}`, { scroll: false });
  };
  const firstMetric = definitions[0]?.name;
  useEffect(() => {
    // Pin defaults into the URL once, so a copied link shows this exact view.
    if (firstMetric && (!state.metric || !search.get("from"))) {
      const metric = state.metric ?? firstMetric;
      // The statistic defaults to what the chosen metric aggregates, not to a generic count.
      const aggregation = definitions.find((d) => d.name === metric)?.aggregation;
      const pinned = search.get("stat") ? state : { ...state, stat: aggregation ?? state.stat };
      router.replace(`${pathname}?${reportSearch({ ...pinned, metric })}`, {
        scroll: false,
      });
    }
  }, [firstMetric, definitions, state, search, router, pathname]);

  const params: SeriesParams | null = definition
    ? {
        metric: definition.name,
        from: state.from,
        to: state.to,
        step: state.step,
        tz: state.tz,
        groupBy: state.grouped ? definition.groupBy : null,
        limit: state.limit,
      }
    : null;
  const series = useSeriesQuery(params);
  const previous = useSeriesQuery(
    params && state.compare ? { ...params, ...previousPeriod(state.from, state.to) } : null,
  );
  const current = series.data;
  const before = state.compare ? (previous.data ?? null) : null;
  const table = useMemo(
    () => (current ? buildReportTable(current, stat, before) : null),
    [current, stat, before],
  );
  const error = metrics.error ?? series.error ?? (state.compare ? previous.error : null);
  const loading = metrics.isPending || series.isPending || (state.compare && previous.isPending);

  return (
    <main className="page" aria-busy={loading}>
      <header className="page-header">
        <h1>Reports</h1>
      </header>
      <ReportControls
        state={view}
        metrics={definitions}
        definition={definition}
        browserZone={browserZone}
        onChange={update}
        onExport={
          current && table
            ? () =>
                download(
                  `${current.metric}-report.csv`,
                  reportCsv(current, table, { stat, previous: before }),
                )
            : null
        }
      />
      {error ? (
        <p className="banner banner-error" role="alert" data-testid="report-error">
          {error.message}
        </p>
      ) : null}
      {!error && metrics.data && !definition && state.metric ? (
        <p className="banner banner-error" role="alert">
          There is no metric named “{state.metric}”.
        </p>
      ) : null}
      {loading && !error ? <p className={styles.status}>Loading…</p> : null}
      {current && table && !loading && !error ? (
        <ReportBody current={current} table={table} stat={stat} compare={before !== null} before={before} />
      ) : null}
    </main>
  );
}

function ReportBody(props: {
  current: SeriesResponse;
  table: ReturnType<typeof buildReportTable>;
  stat: Stat;
  compare: boolean;
  before: SeriesResponse | null;
}) {
  const { current, table, stat, before } = props;
  const keys = current.groupBy ? current.groups : [current.metric];
  const open = current.points.filter((p) => p.state === "open").length;
  const revised = current.points.filter((p) => p.state === "revised").length;
  return (
    <>
      <div className={styles.summary} data-testid="report-summary">
        <span>
          Range <strong>{formatLocal(current.from, current.tz)}</strong> to{" "}
          <strong>{formatLocal(current.to, current.tz)}</strong>
        </span>
        <span>
          Step <strong>{current.step}</strong>
        </span>
        <span>
          Complete up to{" "}
          <strong>
            {current.watermark ? formatLocal(current.watermark, current.tz) : "nothing final yet"}
          </strong>
        </span>
        {open > 0 ? <span>{open} open</span> : null}
        {revised > 0 ? <span>{revised} revised</span> : null}
        {before ? (
          <span>
            Compared with {formatLocal(before.from, before.tz)} to {formatLocal(before.to, before.tz)}{" "}
            (dashed)
          </span>
        ) : null}
      </div>
      {isEmptySeries(current) ? (
        <p className={styles.status} data-testid="report-empty">
          No events for {current.metric} in this range.
        </p>
      ) : (
        <section className="panel">
          <div className={styles.chartTitle}>
            <h2>
              {current.metric} · {stat}
            </h2>
            <span className={styles.zone} data-testid="chart-zone">
              time zone {current.tz}
            </span>
          </div>
          <div className={styles.chart}>
            <ReportChart rows={chartRows(current, stat, before)} keys={keys} compare={before !== null} />
          </div>
          <ReportTable table={table} textColumns={current.groupBy ? 2 : 1} />
        </section>
      )}
    </>
  );
}
