"use client";

import {
  CartesianGrid,
  ComposedChart,
  Line,
  ReferenceArea,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";
import type { BacktestResponse } from "../../server/contract";

const tick = (t: number) =>
  new Date(t).toLocaleString(undefined, {
    month: "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
  });

/** The back-tested metric with the threshold and recovery lines and the firing bands. */
export function BacktestChart({ result }: { result: BacktestResponse }) {
  const bands = result.bands.filter((b) => b.group === result.shownGroup);
  // Zoom to where stored data begins: a week of axis for the last hour of data hides it all.
  const firstData = result.points.find((p) => p.value !== null)?.t ?? result.from;
  const span = result.to - firstData;
  const from = Math.max(result.from, firstData - Math.max(span * 0.05, 60_000));
  const shown = result.points.filter((p) => p.t >= from);
  return (
    <div style={{ width: "100%", height: 240 }} data-testid="backtest-chart">
      <ResponsiveContainer>
        <ComposedChart data={shown} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
          <CartesianGrid stroke="var(--grid)" vertical={false} />
          <XAxis
            dataKey="t"
            type="number"
            domain={[from, result.to]}
            tickFormatter={tick}
            stroke="var(--muted)"
            fontSize={11}
          />
          <YAxis stroke="var(--muted)" fontSize={11} width={56} />
          <Tooltip
            labelFormatter={(t) => tick(Number(t))}
            contentStyle={{ background: "var(--panel)", border: "1px solid var(--grid)" }}
          />
          {bands.map((b) => (
            <ReferenceArea
              key={b.from}
              x1={b.from}
              x2={b.to ?? result.to}
              fill="var(--bad)"
              fillOpacity={0.18}
              ifOverflow="extendDomain"
            />
          ))}
          <ReferenceLine
            y={result.threshold}
            stroke="var(--bad)"
            strokeDasharray="5 4"
            label={{ value: "threshold", fill: "var(--bad)", fontSize: 11, position: "insideTopLeft" }}
          />
          {result.recoveryThreshold !== null && (
            <ReferenceLine
              y={result.recoveryThreshold}
              stroke="var(--ok)"
              strokeDasharray="2 4"
              label={{ value: "recovery", fill: "var(--ok)", fontSize: 11, position: "insideBottomRight" }}
            />
          )}
          <Line
            dataKey="value"
            // Isolated buckets (neighbours without data) draw nothing as a line: show points.
            dot={shown.filter((p) => p.value !== null).length < 300 ? { r: 2.5 } : false}
            stroke="var(--accent)"
            isAnimationActive={false}
            connectNulls={false}
            strokeWidth={1.5}
          />
        </ComposedChart>
      </ResponsiveContainer>
    </div>
  );
}
