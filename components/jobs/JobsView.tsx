"use client";

import { useState } from "react";
import { JOB_QUEUES, JobStatus, type JobsResponse } from "../../server/contract";
import { DriftChart } from "./DriftChart";
import { driftByHour, formatDuration, formatUtc, runTotals } from "./jobs-model";
import { useJobsQuery, type JobsFilter } from "./jobs-query";
import { JobRunsTable, QueuesTable, ReconciliationTables } from "./JobsTables";
import styles from "./jobs.module.css";

const format = new Intl.NumberFormat("en-US");

/** /jobs: scheduler runs (status, duration, retries, last error), queue states, reconciliation drift per hour. */
export function JobsView() {
  const [filter, setFilter] = useState<JobsFilter>({});
  const query = useJobsQuery(filter);
  return (
    <main className="page">
      <header className="page-header">
        <h1>Jobs</h1>
        <span className="tile-note" data-testid="updated">
          {query.data ? `updated ${formatUtc(query.data.generatedAt)} · refreshes every 10 s` : ""}
        </span>
      </header>
      <div className={styles.filters}>
        <label>
          Queue
          <select
            aria-label="Queue"
            value={filter.queue ?? ""}
            onChange={(e) => setFilter({ ...filter, queue: e.target.value || undefined })}
          >
            <option value="">all</option>
            {JOB_QUEUES.map((q) => (
              <option key={q} value={q}>
                {q}
              </option>
            ))}
          </select>
        </label>
        <label>
          Status
          <select
            aria-label="Status"
            value={filter.status ?? ""}
            onChange={(e) => {
              const status = JobStatus.safeParse(e.target.value);
              setFilter({ ...filter, status: status.success ? status.data : undefined });
            }}
          >
            <option value="">all</option>
            {JobStatus.options.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
      </div>
      {query.isError ? (
        <p className="banner banner-error" role="alert" data-testid="jobs-error">
          Could not load the run history: {query.error.message}
        </p>
      ) : null}
      {query.isPending ? (
        <p className="empty" data-testid="jobs-loading">
          Loading job runs…
        </p>
      ) : query.data ? (
        <JobsContent data={query.data} />
      ) : null}
    </main>
  );
}

function JobsContent({ data }: { data: JobsResponse }) {
  const totals = runTotals(data.runs);
  const bars = driftByHour(data.drift);
  const tiles: [string, string, number][] = [
    ["completed", "Completed", totals.completed],
    ["failed", "Failed attempts", totals.failed],
    ["running", "Running", totals.running],
    ["retried", "Retried attempts", totals.retried],
  ];
  return (
    <>
      <section className="tiles">
        {tiles.map(([key, label, value]) => (
          <div className="tile" key={key}>
            <div className="tile-label">{label}</div>
            <div className="tile-value" data-testid={`total-${key}`}>
              {format.format(value)}
            </div>
            <div className="tile-note">of the {data.runs.length} runs listed</div>
          </div>
        ))}
      </section>
      <section className={`panel ${styles.section}`}>
        <h2>Queues (pg-boss)</h2>
        <QueuesTable queues={data.queues} />
      </section>
      <section className={`panel ${styles.section}`}>
        <h2>Job runs · newest first (UTC)</h2>
        <JobRunsTable runs={data.runs} formatDuration={formatDuration} />
      </section>
      <section className={`panel ${styles.section}`}>
        <h2>Reconciliation drift per hour (UTC)</h2>
        <p className={styles.note}>
          Closed hours recomputed from raw events (too-late ones included) and compared with the streamed
          1-minute rows; drifted rows are repaired and their hour and day recompacted.
        </p>
        {bars.length > 0 ? <DriftChart bars={bars} /> : null}
        <ReconciliationTables reconciliations={data.reconciliations} drift={data.drift} />
      </section>
    </>
  );
}
