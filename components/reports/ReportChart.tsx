"use client";

import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

const COLORS = [
  "#4f9cf9",
  "#17c964",
  "#f5a524",
  "#f31260",
  "#9b6cf9",
  "#2dd4bf",
  "#e879f9",
  "#a3e635",
  "#fb923c",
  "#94a3b8",
];

interface Props {
  rows: Record<string, number | string | null>[];
  /** Series keys in legend order; each may have a `<key> (previous)` twin. */
  keys: string[];
  compare: boolean;
}

/** The report chart: one line per group, dashed lines for the previous period. */
export function ReportChart({ rows, keys, compare }: Props) {
  return (
    <ResponsiveContainer width="100%" height="100%">
      <LineChart data={rows} margin={{ top: 8, right: 16, bottom: 8, left: 8 }}>
        <CartesianGrid stroke="var(--grid)" strokeDasharray="3 3" />
        <XAxis dataKey="t" stroke="var(--muted)" fontSize={12} minTickGap={40} />
        <YAxis stroke="var(--muted)" fontSize={12} width={70} />
        <Tooltip contentStyle={{ background: "var(--panel)", border: "1px solid var(--grid)" }} />
        <Legend />
        {keys.flatMap((key, i) => {
          const color = COLORS[i % COLORS.length];
          const lines = [
            <Line
              key={key}
              type="linear"
              dataKey={key}
              stroke={color}
              dot={false}
              isAnimationActive={false}
              connectNulls={false}
            />,
          ];
          if (compare) {
            lines.push(
              <Line
                key={`${key} (previous)`}
                type="linear"
                dataKey={`${key} (previous)`}
                stroke={color}
                strokeDasharray="5 4"
                strokeOpacity={0.6}
                dot={false}
                isAnimationActive={false}
              />,
            );
          }
          return lines;
        })}
      </LineChart>
    </ResponsiveContainer>
  );
}
