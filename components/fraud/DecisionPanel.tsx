"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import styles from "./fraud.module.css";
import admin from "../admin/admin.module.css";
import { formatTime } from "../admin/queries";
import { featureText } from "./format";
import { decisionQuery, labelDecision } from "./queries";

/** One decision: reasons, features, the customer's recent history, and the label form. */
export function DecisionPanel({ id }: { id: string }) {
  const client = useQueryClient();
  const detail = useQuery(decisionQuery(id));
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState("");
  const label = useMutation({
    mutationFn: (input: { label: "fraud" | "legitimate"; note: string }) =>
      labelDecision(id, input.label, input.note),
    onSuccess: () => {
      setError(null);
      void client.invalidateQueries({ queryKey: ["fraud"] });
    },
    onError: (e) => setError(e.message),
  });
  if (detail.isPending) return <p className={admin.muted}>Loading…</p>;
  if (detail.isError)
    return (
      <p className={admin.error}>
        Could not load {id}: {detail.error.message}
      </p>
    );
  const { decision: d, features, customerHistory } = detail.data;

  return (
    <div className={styles.stack} data-testid="decision-panel">
      <h2>
        {d.id} ·{" "}
        <span className={d.decision === "flagged" ? styles.flagged : styles.approved}>{d.decision}</span> ·
        score {d.score}
      </h2>
      <p className={admin.muted}>
        {d.amount.toFixed(2)} at {d.merchant} · card {d.cardId} · customer {d.customerId} ·{" "}
        {d.country ?? "no country"} · rules v{d.rulesVersion} · {formatTime(d.decidedAt)}
      </p>
      <ul className={styles.reasons}>
        {d.reasons.length === 0 && <li>No rule matched.</li>}
        {d.reasons.map((r) => (
          <li key={r.rule}>
            <code>{r.rule}</code>: {r.detail}
          </li>
        ))}
        {d.shadowHits.map((r) => (
          <li key={`s-${r}`}>
            <code>{r}</code> <span className={styles.shadowTag}>shadow</span>
          </li>
        ))}
      </ul>
      <form className={admin.form} aria-label="Label this transaction" onSubmit={(e) => e.preventDefault()}>
        <label style={{ flex: 1 }}>
          Note
          <input
            name="note"
            maxLength={500}
            placeholder="why (optional)"
            value={note}
            onChange={(e) => setNote(e.target.value)}
          />
        </label>
        <button
          type="button"
          className={admin.danger}
          disabled={label.isPending}
          onClick={() => label.mutate({ label: "fraud", note })}
        >
          Fraud
        </button>
        <button
          type="button"
          className={admin.secondary}
          disabled={label.isPending}
          onClick={() => label.mutate({ label: "legitimate", note })}
        >
          Legitimate
        </button>
      </form>
      {d.label && (
        <p data-testid="current-label">
          Labelled <strong>{d.label}</strong> by {d.labeledBy}
          {d.labelNote ? ` — ${d.labelNote}` : ""}
        </p>
      )}
      {error && <p className={admin.error}>{error}</p>}
      <h3>Features</h3>
      <dl className={styles.features}>
        {Object.entries(features)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([name, value]) => (
            <FeatureRow key={name} name={name} value={value} />
          ))}
      </dl>
      <h3>Customer&apos;s recent transactions</h3>
      <table className={admin.table} aria-label="Customer history">
        <tbody>
          {customerHistory.length === 0 && (
            <tr>
              <td className={admin.muted}>None before this one.</td>
            </tr>
          )}
          {customerHistory.map((h) => (
            <tr key={h.id}>
              <td className={admin.muted}>{formatTime(h.ts)}</td>
              <td className={styles.num}>{h.amount.toFixed(2)}</td>
              <td>{h.country ?? "—"}</td>
              <td className={h.decision === "flagged" ? styles.flagged : styles.approved}>{h.decision}</td>
              <td>{h.label ?? ""}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function FeatureRow({ name, value }: { name: string; value: unknown }) {
  return (
    <>
      <dt>{name}</dt>
      <dd>{featureText(value)}</dd>
    </>
  );
}
