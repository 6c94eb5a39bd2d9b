"use client";

import { Line, LineChart, ResponsiveContainer, YAxis } from "recharts";
import { clockTime, formatFigure } from "./format";
import type { TileView } from "./view-model";

/** "▲ 12.5 %"; from ten-fold on as a factor ("▲ ×223"), which reads better than 22200 %. */
function formatChange(change: number | null): string {
  if (change === null) return "no previous";
  const arrow = change > 0 ? "▲" : change < 0 ? "▼" : "■";
  return Math.abs(change) >= 10
    ? `${arrow} ×${Math.round(1 + change)}`
    : `${arrow} ${Math.abs(change * 100).toFixed(1)} %`;
}

const STATE_LABEL = { open: "open", final: "final", revised: "revised" } as const;

/**
 * A stat tile: newest settled figure, change vs the bucket before, a sparkline. Presentational.
 * `liveValue`: while paused, the figure live data has reached meanwhile (data-live-value).
 */
export function StatTile({
  view,
  bucketMs,
  liveValue,
}: {
  view: TileView;
  bucketMs: number;
  liveValue?: number | null | undefined;
}) {
  const { tile } = view;
  const change = tile.change;
  const direction = change === null ? "flat" : change > 0.005 ? "up" : change < -0.005 ? "down" : "flat";
  const spark = tile.spark.map((p) => ({ t: p.t, v: p.value }));
  return (
    <article
      className="tile"
      data-testid={`tile-${view.id}`}
      data-state={tile.state ?? "none"}
      data-live-value={liveValue === undefined ? undefined : formatFigure(liveValue, view.format)}
    >
      <header className="tile-head">
        <span className="tile-label">{view.label}</span>
        {tile.state ? <span className={`badge badge-${tile.state}`}>{STATE_LABEL[tile.state]}</span> : null}
      </header>
      <div className="tile-value">
        <span data-testid={`tile-${view.id}-value`}>{formatFigure(tile.value, view.format)}</span>
        {view.unit ? <span className="tile-unit">{view.unit}</span> : null}
      </div>
      <div className="tile-foot">
        <span className={`change change-${direction}`} data-testid={`tile-${view.id}-change`}>
          {formatChange(change)}
        </span>
        <span className="tile-note">
          {tile.t === null
            ? ""
            : `${clockTime(tile.t)}–${clockTime(tile.t + bucketMs).slice(bucketMs < 60_000 ? 3 : 0)}`}
        </span>
      </div>
      <div className="sparkline" aria-hidden="true">
        <ResponsiveContainer width="100%" height="100%">
          <LineChart data={spark} margin={{ top: 2, right: 0, bottom: 2, left: 0 }}>
            <YAxis hide domain={["dataMin", "dataMax"]} />
            <Line
              type="monotone"
              dataKey="v"
              stroke="var(--accent)"
              strokeWidth={1.5}
              dot={false}
              isAnimationActive={false}
              connectNulls
            />
          </LineChart>
        </ResponsiveContainer>
      </div>
      <div className="tile-source" title="metric definitions this tile is computed from">
        {view.source}
      </div>
    </article>
  );
}
