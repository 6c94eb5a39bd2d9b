"use client";

import type { DriftView, JobRunView, QueueStateView, ReconciliationView } from "../../server/contract";
import { formatUtc } from "./jobs-model";
import styles from "./jobs.module.css";

const format = new Intl.NumberFormat("en-US");

export function QueuesTable({ queues }: { queues: QueueStateView[] }) {
  if (queues.length === 0)
    return <p className="empty">No jobs yet: the scheduler has not run in this namespace.</p>;
  return (
    <table className={styles.table} data-testid="queues-table">
      <thead>
        <tr>
          <th>queue</th>
          <th className={styles.num}>waiting</th>
          <th className={styles.num}>retry pending</th>
          <th className={styles.num}>active</th>
          <th className={styles.num}>completed</th>
          <th className={styles.num}>failed</th>
        </tr>
      </thead>
      <tbody>
        {queues.map((q) => (
          <tr key={q.queue} data-queue={q.queue}>
            <td>{q.queue}</td>
            <td className={styles.num}>{format.format(q.created)}</td>
            <td className={styles.num}>{format.format(q.retry)}</td>
            <td className={styles.num}>{format.format(q.active)}</td>
            <td className={styles.num}>{format.format(q.completed)}</td>
            <td className={styles.num}>{format.format(q.failed)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function JobRunsTable({
  runs,
  formatDuration,
}: {
  runs: JobRunView[];
  formatDuration: (ms: number | null) => string;
}) {
  if (runs.length === 0)
    return (
      <p className="empty" data-testid="runs-empty">
        No job runs match.
      </p>
    );
  return (
    <div className={styles.scroll}>
      <table className={styles.table} data-testid="runs-table">
        <thead>
          <tr>
            <th>queue</th>
            <th>period</th>
            <th>status</th>
            <th className={styles.num}>attempt</th>
            <th className={styles.num}>retries</th>
            <th>started</th>
            <th className={styles.num}>duration</th>
            <th>last error</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((run) => (
            <tr key={run.id} data-run-id={run.id}>
              <td>{run.queue}</td>
              <td>{run.subject ? formatUtc(run.subject) : "—"}</td>
              <td>
                <span className={`${styles.status} ${styles[run.status]}`}>{run.status}</span>
              </td>
              <td className={styles.num}>{run.attempt}</td>
              <td className={styles.num}>{run.retries}</td>
              <td>{formatUtc(run.startedAt)}</td>
              <td className={styles.num}>{formatDuration(run.durationMs)}</td>
              <td className={styles.error}>{run.error ?? ""}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function ReconciliationTables({
  reconciliations,
  drift,
}: {
  reconciliations: ReconciliationView[];
  drift: DriftView[];
}) {
  if (reconciliations.length === 0)
    return (
      <p className="empty" data-testid="reconciliation-empty">
        No hour has been reconciled yet.
      </p>
    );
  return (
    <>
      {drift.length === 0 ? (
        <p className="empty" data-testid="drift-empty">
          No drift: every reconciled hour matched its raw events.
        </p>
      ) : (
        <table className={styles.table} data-testid="drift-table">
          <thead>
            <tr>
              <th>hour</th>
              <th>metric</th>
              <th className={styles.num}>drifted rows</th>
              <th className={styles.num}>streamed count</th>
              <th className={styles.num}>batch count</th>
              <th>found</th>
            </tr>
          </thead>
          <tbody>
            {drift.map((d) => (
              <tr key={`${d.ranAt}-${d.metric}-${d.hour}`} data-metric={d.metric} data-hour={d.hour}>
                <td>{formatUtc(d.hour)}</td>
                <td>{d.metric}</td>
                <td className={styles.num}>{format.format(d.bucketsDrifted)}</td>
                <td className={styles.num}>{format.format(d.streamedCount)}</td>
                <td className={styles.num}>{format.format(d.batchCount)}</td>
                <td>{formatUtc(d.ranAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2 className={styles.section}>Reconciled hours (latest run of each; drift above is from every run)</h2>
      <div className={styles.scroll}>
        <table className={styles.table} data-testid="reconciled-table">
          <thead>
            <tr>
              <th>hour</th>
              <th className={styles.num}>raw events</th>
              <th className={styles.num}>too late</th>
              <th className={styles.num}>rows compared</th>
              <th className={styles.num}>rows drifted</th>
              <th>ran</th>
            </tr>
          </thead>
          <tbody>
            {reconciliations.map((r) => (
              <tr key={r.hour} data-hour={r.hour}>
                <td>{formatUtc(r.hour)}</td>
                <td className={styles.num}>{format.format(r.events)}</td>
                <td className={styles.num}>{format.format(r.tooLateEvents)}</td>
                <td className={styles.num}>{format.format(r.rowsCompared)}</td>
                <td className={styles.num}>{format.format(r.rowsDrifted)}</td>
                <td>{formatUtc(r.ranAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
