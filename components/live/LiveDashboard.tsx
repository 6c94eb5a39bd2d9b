"use client";

import { useEffect, useState } from "react";
import { RateChart } from "./RateChart";
import { countsByType, rateSeries, totalEvents } from "./rates-model";
import { useLiveRates, type ConnectionState } from "./use-live-rates";

const WINDOW_SECONDS = 300;
const format = new Intl.NumberFormat("en-US");

const CONNECTION_LABEL: Record<ConnectionState, string> = {
  connecting: "Connecting…",
  live: "Live",
  reconnecting: "Reconnecting…",
  error: "Error",
};

function useNow(intervalMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(id);
  }, [intervalMs]);
  return now;
}

/** Live view: events per second by type over the last five minutes, and the stored total. */
export function LiveDashboard() {
  const { state, connection, error } = useLiveRates(WINDOW_SECONDS);
  const now = useNow(1000);
  const to = Math.floor(now / 1000) * 1000 + 1000;
  const from = to - WINDOW_SECONDS * 1000;
  const series = state ? rateSeries(state, from, to) : { types: [], points: [] };
  const byType = state ? countsByType(state, from, to) : {};
  const lastTen = state
    ? Object.values(countsByType(state, to - 11_000, to - 1000)).reduce((a, b) => a + b, 0)
    : 0;

  return (
    <main className="page">
      <header className="page-header">
        <h1>Live</h1>
        <span className={`connection connection-${connection}`} data-testid="connection" role="status">
          {CONNECTION_LABEL[connection]}
        </span>
      </header>
      {error ? (
        <p className="banner banner-error" role="alert">
          {error}
        </p>
      ) : null}
      <section className="tiles">
        <div className="tile">
          <div className="tile-label">Events stored</div>
          <div className="tile-value" data-testid="total-events">
            {state ? format.format(totalEvents(state)) : "—"}
          </div>
          <div className="tile-note">all time, exactly once</div>
        </div>
        <div className="tile">
          <div className="tile-label">Events/s</div>
          <div className="tile-value" data-testid="events-per-second">
            {state ? (lastTen / 10).toFixed(1) : "—"}
          </div>
          <div className="tile-note">average of the last 10 s (event time)</div>
        </div>
        {Object.entries(byType)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([type, count]) => (
            <div className="tile" key={type}>
              <div className="tile-label">{type}</div>
              <div className="tile-value" data-testid={`window-count-${type}`}>
                {format.format(count)}
              </div>
              <div className="tile-note">last 5 min</div>
            </div>
          ))}
      </section>
      <section className="panel">
        <h2>Events per second by type · last 5 min (UTC, event time)</h2>
        {state && series.types.length === 0 ? (
          <p className="empty">
            No events in the last 5 minutes. Start the simulator or POST to /api/ingest.
          </p>
        ) : null}
        {state ? (
          <RateChart types={series.types} points={series.points} />
        ) : (
          <p className="empty">Loading…</p>
        )}
      </section>
    </main>
  );
}
