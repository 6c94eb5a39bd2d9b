/** A small inline line of an instance's recent values, with its threshold as a dashed line. */
export function Sparkline({
  points,
  threshold,
  width = 120,
  height = 28,
}: {
  points: ReadonlyArray<{ t: number; v: number | null }>;
  threshold: number;
  width?: number;
  height?: number;
}) {
  const values = points.map((p) => p.v).filter((v): v is number => v !== null);
  if (values.length < 2) return <span className="muted">—</span>;
  const lo = Math.min(...values, threshold);
  const hi = Math.max(...values, threshold);
  const span = hi - lo || 1;
  const x = (i: number) => (i / (points.length - 1)) * (width - 2) + 1;
  const y = (v: number) => height - 2 - ((v - lo) / span) * (height - 4);
  const path = points
    .map((p, i) => (p.v === null ? null : `${x(i).toFixed(1)},${y(p.v).toFixed(1)}`))
    .filter(Boolean)
    .join(" ");
  return (
    <svg width={width} height={height} role="img" aria-label="recent values">
      <line
        x1={0}
        x2={width}
        y1={y(threshold)}
        y2={y(threshold)}
        stroke="var(--bad)"
        strokeDasharray="3 3"
        strokeWidth={1}
      />
      <polyline points={path} fill="none" stroke="var(--accent)" strokeWidth={1.5} />
    </svg>
  );
}
