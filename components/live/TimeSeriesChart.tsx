"use client";

import {
  Area,
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
import type { ChartOverlay } from "../alerts/live-overlays";
import { ChartData } from "./ChartData";
import { clockTime, formatFigure, type FigureFormat } from "./format";
import type { ChartRow } from "./view-model";

export interface ChartLine {
  key: string;
  label: string;
  color: string;
}

interface Props {
  id: string;
  title: string;
  rows: ChartRow[];
  lines: ChartLine[];
  kind: "stacked" | "lines";
  format: FigureFormat;
  unit: string;
  from: number;
  to: number;
  bucketMs: number;
  /** Alert rules on this chart: threshold and recovery lines, firing bands. */
  overlay?: ChartOverlay;
}

/** Splits each line into its settled part and its still-open tail (drawn dashed). */
function splitOpen(rows: ChartRow[], lines: ChartLine[]): ChartRow[] {
  return rows.map((row, i) => {
    const next = rows[i + 1];
    const out: ChartRow = { ...row };
    for (const { key } of lines) {
      const value = row[key] ?? null;
      out[`${key}__final`] = row.state === "open" ? null : value;
      out[`${key}__open`] = row.state === "open" || next?.state === "open" ? value : null;
    }
    return out;
  });
}

/**
 * A live time-series chart. Open buckets (still filling) sit under a hatched band and, for
 * line charts, are drawn dashed; revised buckets are tinted. Presentational, fed by props.
 */
export function TimeSeriesChart({
  id,
  title,
  rows,
  lines,
  kind,
  format,
  unit,
  from,
  to,
  bucketMs,
  overlay,
}: Props) {
  const firstOpen = rows.find((row) => row.state === "open")?.t ?? null;
  const revised = rows.filter((row) => row.state === "revised");
  const data = kind === "lines" ? splitOpen(rows, lines) : rows;
  // With few buckets filled, isolated points would draw nothing: show them as dots.
  const filled = rows.filter((row) => lines.some((line) => row[line.key] !== null)).length;
  const dot = filled < rows.length / 3 ? { r: 2.5 } : false;
  const label = (value: unknown) => `${formatFigure(Number(value), format)}${unit ? ` ${unit}` : ""}`;
  return (
    <section className="panel chart" data-testid={id} aria-label={title}>
      <header className="panel-head">
        <h2>{title}</h2>
        <ul className="legend">
          {lines.map((line) => (
            <li key={line.key}>
              <i style={{ background: line.color }} />
              {line.label}
            </li>
          ))}
          <li className="legend-open">
            <i /> open
          </li>
          <li className="legend-revised">
            <i /> revised
          </li>
        </ul>
      </header>
      <div className="chart-body">
        <ResponsiveContainer width="100%" height="100%">
          <ComposedChart data={data} margin={{ top: 8, right: 12, bottom: 0, left: 0 }}>
            <defs>
              <pattern
                id={`${id}-hatch`}
                width="6"
                height="6"
                patternUnits="userSpaceOnUse"
                patternTransform="rotate(45)"
              >
                <rect width="6" height="6" fill="var(--open-bg)" />
                <line x1="0" y1="0" x2="0" y2="6" stroke="var(--open-line)" strokeWidth="2" />
              </pattern>
            </defs>
            <CartesianGrid stroke="var(--grid)" strokeDasharray="3 3" vertical={false} />
            <XAxis
              dataKey="t"
              type="number"
              domain={[from, to]}
              tickFormatter={clockTime}
              stroke="var(--muted)"
              minTickGap={48}
            />
            <YAxis
              stroke="var(--muted)"
              width="auto"
              tickFormatter={(v: number) => formatFigure(v, format)}
            />
            {firstOpen !== null ? (
              <ReferenceArea
                x1={firstOpen}
                x2={to}
                fill={`url(#${id}-hatch)`}
                fillOpacity={1}
                ifOverflow="hidden"
              />
            ) : null}
            {revised.map((row) => (
              <ReferenceArea
                key={row.t}
                x1={row.t}
                x2={row.t + bucketMs}
                fill="var(--warn)"
                fillOpacity={0.14}
              />
            ))}
            {overlay?.bands.map((band) => (
              <ReferenceArea
                key={`${band.label}-${band.from}`}
                x1={band.from}
                x2={band.to}
                fill="var(--bad)"
                fillOpacity={0.12}
                ifOverflow="hidden"
                data-testid="alert-band"
              />
            ))}
            {overlay?.lines.map((line) => (
              <ReferenceLine
                key={`${line.kind}-${line.label}`}
                y={line.value}
                stroke={line.kind === "threshold" ? "var(--bad)" : "var(--ok)"}
                strokeDasharray={line.kind === "threshold" ? "6 4" : "2 4"}
                ifOverflow="extendDomain"
                label={{
                  value: line.kind === "threshold" ? line.label : "recovery",
                  position: "insideTopLeft",
                  fill: "var(--muted)",
                  fontSize: 11,
                }}
              />
            ))}
            <Tooltip
              labelFormatter={(t) => `${clockTime(Number(t))} UTC`}
              formatter={(value, name) => [label(value), String(name).replace(/__(final|open)$/, "")]}
              contentStyle={{
                background: "var(--panel)",
                border: "1px solid var(--grid)",
                color: "var(--text)",
              }}
            />
            {kind === "stacked"
              ? lines.map((line) => (
                  <Area
                    key={line.key}
                    type="stepAfter"
                    dataKey={line.key}
                    name={line.label}
                    stackId="stack"
                    stroke={line.color}
                    fill={line.color}
                    fillOpacity={0.35}
                    isAnimationActive={false}
                  />
                ))
              : lines.flatMap((line) => [
                  <Line
                    key={`${line.key}-f`}
                    dataKey={`${line.key}__final`}
                    name={line.label}
                    stroke={line.color}
                    strokeWidth={2}
                    dot={dot}
                    isAnimationActive={false}
                  />,
                  <Line
                    key={`${line.key}-o`}
                    dataKey={`${line.key}__open`}
                    name={`${line.label} (open)`}
                    stroke={line.color}
                    strokeWidth={2}
                    strokeDasharray="4 4"
                    dot={false}
                    isAnimationActive={false}
                    legendType="none"
                  />,
                ])}
          </ComposedChart>
        </ResponsiveContainer>
      </div>
      <ChartData id={id} rows={rows} lines={lines.map((l) => l.key)} />
    </section>
  );
}
