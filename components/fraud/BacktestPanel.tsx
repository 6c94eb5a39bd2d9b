"use client";

import type { BacktestResult } from "../../server/contract/fraud";
import styles from "./fraud.module.css";
import admin from "../admin/admin.module.css";
import { percent } from "./format";

/** What the draft would have done over the stored decisions, against the labels. */
export function BacktestPanel({ result }: { result: BacktestResult }) {
  return (
    <div className={styles.stack} data-testid="backtest">
      <div className={styles.tiles}>
        <Tile label="Decisions replayed" value={String(result.evaluated)} id="bt-evaluated" />
        <Tile label="Would flag" value={String(result.wouldFlag)} id="bt-would-flag" />
        <Tile label="Flagged when decided" value={String(result.currentlyFlagged)} id="bt-current" />
        <Tile label="Precision" value={percent(result.quality.precision)} id="bt-precision" />
        <Tile label="Recall" value={percent(result.quality.recall)} id="bt-recall" />
      </div>
      <p className={admin.muted}>{result.labeled} of the replayed decisions carry an analyst&apos;s label.</p>
      <table className={admin.table} aria-label="Back-test per rule">
        <thead>
          <tr>
            <th>Rule</th>
            <th className={styles.num}>Would match</th>
            <th className={styles.num}>Precision</th>
            <th className={styles.num}>Recall</th>
          </tr>
        </thead>
        <tbody>
          {result.rules.map((r) => (
            <tr key={r.rule} data-testid="bt-rule">
              <td>
                <code>{r.rule}</code>
                {r.shadow && <span className={styles.shadowTag}>shadow</span>}
              </td>
              <td className={styles.num}>{r.quality.hits}</td>
              <td className={styles.num}>{percent(r.quality.precision)}</td>
              <td className={styles.num}>{percent(r.quality.recall)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Tile({ label, value, id }: { label: string; value: string; id: string }) {
  return (
    <div className={styles.tile}>
      <div className={styles.tileLabel}>{label}</div>
      <div className={styles.tileValue} data-testid={id}>
        {value}
      </div>
    </div>
  );
}
