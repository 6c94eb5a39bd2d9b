"use client";

import { useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { AUDIT_ACTIONS, type AuditEntryView } from "../../server/contract/auth";
import styles from "./admin.module.css";
import { auditQuery, formatTime, type AuditFilters } from "./queries";

/** `{a: 1}` → `{a: 2}` rendered as text lines (never as HTML). */
export function describeChange(entry: Pick<AuditEntryView, "before" | "after">): string {
  const before = (entry.before ?? {}) as Record<string, unknown>;
  const after = (entry.after ?? {}) as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  const lines = keys
    .filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]))
    .map(
      (k) =>
        `${k}: ${k in before ? JSON.stringify(before[k]) : "—"} → ${k in after ? JSON.stringify(after[k]) : "—"}`,
    );
  return lines.length > 0 ? lines.join("\n") : "no field changed";
}

export function AuditLog() {
  const [filters, setFilters] = useState<AuditFilters>({});
  const [pages, setPages] = useState<Array<number | null>>([null]);
  const before = pages.at(-1) ?? null;
  const page = useQuery(auditQuery(filters, before));

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (name: string) => String(form.get(name) ?? "").trim() || undefined;
    const date = (name: string) => {
      const value = text(name);
      return value ? new Date(value).toISOString() : undefined;
    };
    setFilters({
      actor: text("actor"),
      action: text("action") as AuditFilters["action"],
      target: text("target"),
      from: date("from"),
      to: date("to"),
    });
    setPages([null]);
  }

  return (
    <main className="page">
      <div className="page-header">
        <h1>Audit log</h1>
      </div>
      <section className={styles.section}>
        <form className={styles.form} onSubmit={submit} aria-label="Filter the audit log">
          <label>
            Actor
            <input name="actor" placeholder="email contains…" />
          </label>
          <label>
            Action
            <select name="action" defaultValue="">
              <option value="">any</option>
              {AUDIT_ACTIONS.map((a) => (
                <option key={a}>{a}</option>
              ))}
            </select>
          </label>
          <label>
            Target
            <input name="target" placeholder="email or key name" />
          </label>
          <label>
            From
            <input name="from" type="datetime-local" />
          </label>
          <label>
            To
            <input name="to" type="datetime-local" />
          </label>
          <button className={styles.button}>Apply</button>
        </form>
      </section>
      <section className={styles.section}>
        {page.isPending && <p className={styles.muted}>Loading…</p>}
        {page.isError && <p className={styles.error}>Could not load the audit log: {page.error.message}</p>}
        {page.data?.entries.length === 0 && <p className={styles.muted}>No changes match these filters.</p>}
        {page.data && page.data.entries.length > 0 && (
          <table className={styles.table} aria-label="Audit entries">
            <thead>
              <tr>
                <th>When</th>
                <th>Who</th>
                <th>Action</th>
                <th>Target</th>
                <th>Change</th>
              </tr>
            </thead>
            <tbody>
              {page.data.entries.map((entry) => (
                <tr key={entry.id} data-testid="audit-row">
                  <td className={styles.muted}>{formatTime(entry.at)}</td>
                  <td>{entry.actorEmail}</td>
                  <td>
                    <code>{entry.action}</code>
                  </td>
                  <td>{entry.targetLabel || entry.targetId}</td>
                  <td className={styles.change}>{describeChange(entry)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <div className={styles.actions} style={{ marginTop: 12 }}>
          {pages.length > 1 && (
            <button type="button" className={styles.secondary} onClick={() => setPages(pages.slice(0, -1))}>
              Newer
            </button>
          )}
          {page.data?.nextBefore && (
            <button
              type="button"
              className={styles.secondary}
              onClick={() => setPages([...pages, page.data.nextBefore])}
            >
              Older
            </button>
          )}
        </div>
      </section>
    </main>
  );
}
