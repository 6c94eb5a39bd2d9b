"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import type { AlertInstanceView, AlertState } from "../../server/contract";
import adminStyles from "../admin/admin.module.css";
import { formatTime } from "../admin/queries";
import { fetchJson } from "../api-client";
import styles from "./alerts.module.css";
import { alertsQuery } from "./queries";
import { formatValue } from "./rule-form";
import { Sparkline } from "./Sparkline";
import { StateBadge } from "./StateBadge";

const ORDER: AlertState[] = [
  "firing",
  "pending",
  "recovering",
  "error",
  "no_data",
  "insufficient_data",
  "normal",
];

function AcknowledgeForm({ instance }: { instance: AlertInstanceView }) {
  const client = useQueryClient();
  const [error, setError] = useState<string | null>(null);
  const ack = useMutation({
    mutationFn: (note: string) =>
      fetchJson("/api/alerts/acknowledge", {
        method: "POST",
        body: JSON.stringify({ ruleId: instance.ruleId, group: instance.group, note }),
      }),
    onSuccess: () => {
      setError(null);
      void client.invalidateQueries({ queryKey: ["alerts"] });
    },
    onError: (e: Error) => setError(e.message),
  });
  if (instance.acknowledged)
    return (
      <span className={adminStyles.muted} data-testid="acknowledged">
        ✓ {instance.acknowledged.by}: “{instance.acknowledged.note}”
      </span>
    );
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    ack.mutate(String(new FormData(event.currentTarget).get("note") ?? ""));
  };
  return (
    <form className={styles.note} onSubmit={submit} aria-label={`Acknowledge ${instance.ruleName}`}>
      <input name="note" placeholder="what you are doing about it" maxLength={500} />
      <button className={adminStyles.secondary} disabled={ack.isPending}>
        Acknowledge
      </button>
      {error && <span className={adminStyles.error}>{error}</span>}
    </form>
  );
}

/** `/alerts`: every instance by state, with value, since, sparkline, and the transition history. */
export function AlertsView() {
  const alerts = useQuery(alertsQuery(true));
  const instances = [...(alerts.data?.instances ?? [])].sort(
    (a, b) => ORDER.indexOf(a.state) - ORDER.indexOf(b.state) || a.ruleName.localeCompare(b.ruleName),
  );
  return (
    <main className="page">
      <div className="page-header">
        <h1>Alerts</h1>
      </div>
      <section className={adminStyles.section}>
        <h2>Instances</h2>
        {alerts.isPending && <p className={adminStyles.muted}>Loading alerts…</p>}
        {alerts.isError && <p className={adminStyles.error}>Could not load alerts: {alerts.error.message}</p>}
        {alerts.data && instances.length === 0 && (
          <p className={adminStyles.muted}>No alert rule has been evaluated yet.</p>
        )}
        {instances.length > 0 && (
          <table className={adminStyles.table} aria-label="Alert instances">
            <thead>
              <tr>
                <th>State</th>
                <th>Rule</th>
                <th>Group</th>
                <th>Value</th>
                <th>Threshold</th>
                <th>Recent</th>
                <th>Since</th>
                <th>Acknowledge</th>
              </tr>
            </thead>
            <tbody>
              {instances.map((i) => (
                <tr key={`${i.ruleId}/${i.group}`} data-testid={`instance-${i.ruleName}`}>
                  <td>
                    <StateBadge state={i.state} />
                    {i.silenced && <span className={adminStyles.pill}> silenced</span>}
                  </td>
                  <td>
                    {i.ruleName} <span className={adminStyles.muted}>({i.severity})</span>
                    {i.reason && <div className={adminStyles.error}>{i.reason}</div>}
                  </td>
                  <td>{i.group || <span className={adminStyles.muted}>all</span>}</td>
                  <td data-testid="value">{formatValue(i.value, i.unit)}</td>
                  <td>{formatValue(i.threshold, i.unit)}</td>
                  <td>
                    <Sparkline points={i.trail} threshold={i.threshold} />
                  </td>
                  <td className={adminStyles.muted}>{formatTime(i.since)}</td>
                  <td>{i.state !== "normal" && <AcknowledgeForm instance={i} />}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section className={adminStyles.section}>
        <h2>History</h2>
        {alerts.data?.events.length === 0 && <p className={adminStyles.muted}>No transitions yet.</p>}
        {(alerts.data?.events.length ?? 0) > 0 && (
          <table className={adminStyles.table} aria-label="Alert history">
            <thead>
              <tr>
                <th>When</th>
                <th>Rule</th>
                <th>Group</th>
                <th>Change</th>
                <th>Value</th>
                <th>Threshold</th>
                <th>Buckets</th>
              </tr>
            </thead>
            <tbody>
              {alerts.data?.events.map((e) => (
                <tr key={e.id}>
                  <td className={adminStyles.muted}>{formatTime(e.at)}</td>
                  <td>{e.ruleName}</td>
                  <td>{e.group || "all"}</td>
                  <td>
                    {e.kind === "acknowledge" ? (
                      <span>acknowledged — {e.reason}</span>
                    ) : e.kind === "repeat" ? (
                      <span>repeat notification</span>
                    ) : (
                      <>
                        <StateBadge state={e.from} /> → <StateBadge state={e.to} />
                        {e.silenced && <span className={adminStyles.pill}> silenced</span>}
                        {e.reason && <span className={adminStyles.muted}> {e.reason}</span>}
                      </>
                    )}
                  </td>
                  <td>{formatValue(e.value)}</td>
                  <td>{formatValue(e.threshold)}</td>
                  <td className={adminStyles.muted}>{e.buckets.map((b) => b.state).join(", ") || "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </main>
  );
}
