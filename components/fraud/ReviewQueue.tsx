"use client";

import { useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import styles from "./fraud.module.css";
import admin from "../admin/admin.module.css";
import { formatTime } from "../admin/queries";
import { DecisionPanel } from "./DecisionPanel";
import { QualityPanel } from "./QualityPanel";
import { queueQuery, type QueueFilters } from "./queries";

/** The analysts' review queue: quality from the labels, filters, flagged decisions newest first. */
export function ReviewQueue() {
  const [filters, setFilters] = useState<QueueFilters>({ decision: "flagged", label: "any" });
  const [selected, setSelected] = useState<string | null>(null);
  const queue = useQuery(queueQuery(filters));

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (name: string) => String(form.get(name) ?? "").trim() || undefined;
    setFilters({
      decision: text("decision") as QueueFilters["decision"],
      label: text("label") as QueueFilters["label"],
      rule: text("rule"),
      q: text("q"),
    });
  }

  return (
    <main className="page">
      <div className="page-header">
        <h1>Fraud review</h1>
      </div>
      <section className={admin.section}>
        <h2>Quality from analysts&apos; labels</h2>
        <QualityPanel days={14} />
      </section>
      <section className={admin.section}>
        <form className={admin.form} onSubmit={submit} aria-label="Filter the review queue">
          <label>
            Decision
            <select name="decision" defaultValue="flagged">
              <option value="flagged">flagged</option>
              <option value="approved">approved</option>
              <option value="all">all</option>
            </select>
          </label>
          <label>
            Label
            <select name="label" defaultValue="any">
              <option value="any">any</option>
              <option value="unlabeled">not labelled</option>
              <option value="fraud">fraud</option>
              <option value="legitimate">legitimate</option>
            </select>
          </label>
          <label>
            Rule
            <input name="rule" placeholder="card_testing" />
          </label>
          <label>
            Search
            <input name="q" placeholder="transaction, card, customer or device id" />
          </label>
          <button className={admin.button}>Apply</button>
        </form>
      </section>
      <div className={styles.layout}>
        <section className={admin.section}>
          {queue.isPending && <p className={admin.muted}>Loading…</p>}
          {queue.isError && <p className={admin.error}>Could not load the queue: {queue.error.message}</p>}
          {queue.data?.decisions.length === 0 && (
            <p className={admin.muted}>No transactions match these filters.</p>
          )}
          {queue.data && queue.data.decisions.length > 0 && (
            <table className={admin.table} aria-label="Review queue">
              <thead>
                <tr>
                  <th>Decided</th>
                  <th>Transaction</th>
                  <th className={styles.num}>Amount</th>
                  <th>Customer</th>
                  <th className={styles.num}>Score</th>
                  <th>Reasons</th>
                  <th>Label</th>
                </tr>
              </thead>
              <tbody>
                {queue.data.decisions.map((d) => (
                  <tr
                    key={d.id}
                    data-testid="queue-row"
                    className={`${styles.row} ${selected === d.id ? styles.selected : ""}`}
                    onClick={() => setSelected(d.id)}
                  >
                    <td className={admin.muted}>{formatTime(d.decidedAt)}</td>
                    <td>
                      <code>{d.id}</code>
                    </td>
                    <td className={styles.num}>{d.amount.toFixed(2)}</td>
                    <td>{d.customerId}</td>
                    <td
                      className={`${styles.num} ${d.decision === "flagged" ? styles.flagged : styles.approved}`}
                    >
                      {d.score}
                    </td>
                    <td className={styles.reasons}>{d.reasons.map((r) => r.rule).join(", ") || "—"}</td>
                    <td>{d.label ?? ""}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
        <section className={admin.section}>
          {selected ? (
            <DecisionPanel key={selected} id={selected} />
          ) : (
            <p className={admin.muted}>Select a transaction to see its features and label it.</p>
          )}
        </section>
      </div>
    </main>
  );
}
