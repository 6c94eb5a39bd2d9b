"use client";

import { Area, AreaChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { SeriesPoint } from "./rates-model";

const PALETTE = ["#4f9cf9", "#f5a524", "#17c964", "#f31260", "#9353d3", "#06b6d4", "#a3a3a3"];

const clock = (t: number) => new Date(t).toISOString().slice(11, 19);

/** Stacked events-per-second chart; presentational, fed by props. */
export function RateChart({ types, points }: { types: string[]; points: SeriesPoint[] }) {
  return (
    <ResponsiveContainer width="100%" height={320}>
      <AreaChart data={points} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
        <CartesianGrid stroke="var(--grid)" strokeDasharray="3 3" />
        <XAxis
          dataKey="t"
          type="number"
          scale="time"
          domain={["dataMin", "dataMax"]}
          tickFormatter={clock}
          stroke="var(--muted)"
          minTickGap={40}
        />
        <YAxis allowDecimals={false} stroke="var(--muted)" width={48} />
        <Tooltip
          labelFormatter={(t) => `${clock(Number(t))} UTC`}
          contentStyle={{ background: "var(--panel)", border: "1px solid var(--grid)" }}
        />
        <Legend />
        {types.map((type, i) => (
          <Area
            key={type}
            type="stepAfter"
            dataKey={type}
            stackId="rates"
            stroke={PALETTE[i % PALETTE.length]}
            fill={PALETTE[i % PALETTE.length]}
            fillOpacity={0.35}
            isAnimationActive={false}
          />
        ))}
      </AreaChart>
    </ResponsiveContainer>
  );
}
