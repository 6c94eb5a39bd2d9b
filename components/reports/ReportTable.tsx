import type { ReportTable as Table } from "./report-table";
import styles from "./reports.module.css";

const STATE_CLASS: Record<string, string | undefined> = {
  open: styles.stateOpen,
  revised: styles.stateRevised,
};

/** The table exactly as exported; cells are plain text (React escapes them, never HTML). */
export function ReportTable({ table, textColumns }: { table: Table; textColumns: number }) {
  const stateColumn = table.columns.indexOf("state");
  return (
    <div className={styles.tableWrap}>
      <table className={styles.table} data-testid="report-table">
        <thead>
          <tr>
            {table.columns.map((column, c) => (
              <th key={column} className={c < textColumns ? styles.text : undefined}>
                {column}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {table.rows.map((row, r) => (
            <tr key={r}>
              {row.map((cell, c) => (
                <td
                  key={c}
                  className={
                    c === stateColumn ? STATE_CLASS[cell] : c < textColumns ? styles.text : undefined
                  }
                >
                  {cell}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
