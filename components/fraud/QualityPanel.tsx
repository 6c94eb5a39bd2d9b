"use client";

import { useQuery } from "@tanstack/react-query";
import { Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import styles from "./fraud.module.css";
import admin from "../admin/admin.module.css";
import { percent } from "./format";
import { qualityQuery } from "./queries";

/** Precision and recall of the flagged decisions from the labels, per rule, and the flag rate per day. */
export function QualityPanel({ days }: { days: number }) {
  const quality = useQuery(qualityQuery(days));
  if (quality.isPending) return <p className={admin.muted}>Loading quality…</p>;
  if (quality.isError) return <p className={admin.error}>Could not load quality: {quality.error.message}</p>;
  const q = quality.data;
  const flagRate = q.decided === 0 ? null : q.flagged.hits / q.decided;
  return (
    <>
      <div className={styles.tiles}>
        <Tile label={`Decisions (${days} d)`} value={String(q.decided)} testId="quality-decided" />
        <Tile label="Flag rate" value={percent(flagRate)} testId="quality-flag-rate" />
        <Tile
          label="Precision (labelled flags)"
          value={percent(q.flagged.precision)}
          testId="quality-precision"
        />
        <Tile label="Recall (labelled fraud)" value={percent(q.flagged.recall)} testId="quality-recall" />
        <Tile
          label="Labelled flags"
          value={`${q.flagged.labeledHits} / ${q.flagged.hits}`}
          testId="quality-labelled"
        />
      </div>
      {q.daily.length > 1 && (
        <div style={{ height: 140, marginTop: 14 }} aria-label="Flag rate per day">
          <ResponsiveContainer>
            <LineChart data={q.daily.map((d) => ({ day: d.day, rate: d.rate * 100 }))}>
              <XAxis dataKey="day" stroke="var(--muted)" fontSize={11} />
              <YAxis stroke="var(--muted)" fontSize={11} unit=" %" width={48} />
              <Tooltip formatter={(v) => `${Number(v).toFixed(1)} %`} />
              <Line dataKey="rate" stroke="var(--accent)" dot={false} isAnimationActive={false} />
            </LineChart>
          </ResponsiveContainer>
        </div>
      )}
      <table className={admin.table} aria-label="Per-rule quality" style={{ marginTop: 14 }}>
        <thead>
          <tr>
            <th>Rule</th>
            <th className={styles.num}>Hits</th>
            <th className={styles.num}>Flag rate</th>
            <th className={styles.num}>Precision</th>
            <th className={styles.num}>Recall</th>
            <th className={styles.num}>Today</th>
          </tr>
        </thead>
        <tbody>
          {q.rules.length === 0 && (
            <tr>
              <td colSpan={6} className={admin.muted}>
                No rule has matched in this period.
              </td>
            </tr>
          )}
          {q.rules.map((r) => (
            <tr key={`${r.rule}-${r.shadow}`} data-testid="rule-quality">
              <td>
                <code>{r.rule}</code>
                {r.shadow && <span className={styles.shadowTag}>shadow</span>}
              </td>
              <td className={styles.num}>{r.quality.hits}</td>
              <td className={styles.num}>{percent(r.flagRate)}</td>
              <td className={styles.num}>{percent(r.quality.precision)}</td>
              <td className={styles.num}>{percent(r.quality.recall)}</td>
              <td className={styles.num}>{percent(r.daily.at(-1)?.rate ?? null)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

function Tile({ label, value, testId }: { label: string; value: string; testId: string }) {
  return (
    <div className={styles.tile}>
      <div className={styles.tileLabel}>{label}</div>
      <div className={styles.tileValue} data-testid={testId}>
        {value}
      </div>
    </div>
  );
}
