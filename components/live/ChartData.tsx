import { clockTime } from "./format";
import type { ChartRow } from "./view-model";

/**
 * The numbers behind a chart as a table (screen readers, copy-paste, and browser tests read
 * the exact values here). Visually hidden; empty slots are left out.
 */
export function ChartData({ id, rows, lines }: { id: string; rows: ChartRow[]; lines: string[] }) {
  const filled = rows.filter((row) => lines.some((line) => row[line] !== null && row[line] !== 0));
  return (
    <table className="sr-only" data-testid={`${id}-data`}>
      <caption>{id} data (UTC)</caption>
      <thead>
        <tr>
          <th>bucket</th>
          <th>state</th>
          {lines.map((line) => (
            <th key={line}>{line}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {filled.map((row) => (
          <tr key={row.t} data-t={row.t} data-state={row.state}>
            <td>{clockTime(row.t)}</td>
            <td>{row.state}</td>
            {lines.map((line) => (
              <td key={line} data-line={line}>
                {row[line] === null ? "" : String(Math.round(Number(row[line]) * 1000) / 1000)}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
