"use client";

import type { Resolution } from "../../server/contract";
import { freshnessOf } from "./figures";
import { formatLag } from "./format";
import type { Theme } from "./use-theme";
import type { ConnectionState } from "./use-live-subscriptions";

const CONNECTION_LABEL: Record<ConnectionState, string> = {
  connecting: "Connecting…",
  live: "Live",
  reconnecting: "Reconnecting…",
  offline: "Offline",
};

interface Props {
  connection: ConnectionState;
  now: number;
  watermark: number | null;
  resolution: Resolution;
  onResolution(resolution: Resolution): void;
  paused: boolean;
  onPause(): void;
  theme: Theme | null;
  onTheme(): void;
  kiosk: boolean;
}

export function LiveToolbar(props: Props) {
  const { lagMs, level } = freshnessOf(props.now, props.watermark);
  return (
    <header className="toolbar">
      <h1>Live operations</h1>
      <span className={`pill connection-${props.connection}`} data-testid="connection" role="status">
        {CONNECTION_LABEL[props.connection]}
      </span>
      <span
        className={`pill freshness-${level}`}
        data-testid="freshness"
        data-level={level}
        title="now − watermark: how far behind real time the figures are"
      >
        Data age {formatLag(lagMs)}
      </span>
      {props.paused ? (
        <span className="pill paused" data-testid="paused">
          Paused
        </span>
      ) : null}
      <div className="toolbar-actions">
        <div className="segmented" role="group" aria-label="Resolution">
          {(["10s", "1m"] as const).map((r) => (
            <button
              key={r}
              type="button"
              aria-pressed={props.resolution === r}
              onClick={() => props.onResolution(r)}
            >
              {r === "10s" ? "10 s · 15 min" : "1 min · 3 h"}
            </button>
          ))}
        </div>
        <button type="button" onClick={props.onPause} data-testid="pause">
          {props.paused ? "Resume" : "Pause"}
        </button>
        <button
          type="button"
          onClick={props.onTheme}
          data-testid="theme-toggle"
          aria-label="Toggle light/dark theme"
        >
          {props.theme === "light" ? "Dark theme" : "Light theme"}
        </button>
        <a className="button" href={props.kiosk ? "/live" : "/live?kiosk=1"}>
          {props.kiosk ? "Exit kiosk" : "Kiosk"}
        </a>
      </div>
    </header>
  );
}
