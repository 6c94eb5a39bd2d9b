"use client";

import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { formatUtc, type DriftBar } from "./jobs-model";

/** Drift per reconciled hour: drifted 1m rows and events the stream had missed. Presentational. */
export function DriftChart({ bars }: { bars: DriftBar[] }) {
  return (
    <ResponsiveContainer width="100%" height={220}>
      <BarChart data={bars} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
        <CartesianGrid stroke="var(--grid)" strokeDasharray="3 3" />
        <XAxis dataKey="hour" tickFormatter={(h: string) => formatUtc(h).slice(5)} stroke="var(--muted)" />
        <YAxis allowDecimals={false} stroke="var(--muted)" width={48} />
        <Tooltip
          labelFormatter={(h) => formatUtc(String(h))}
          contentStyle={{ background: "var(--panel)", border: "1px solid var(--grid)" }}
        />
        <Legend />
        <Bar dataKey="rows" name="drifted 1m rows" fill="#f5a524" isAnimationActive={false} />
        <Bar dataKey="events" name="events missed by the stream" fill="#f31260" isAnimationActive={false} />
      </BarChart>
    </ResponsiveContainer>
  );
}
