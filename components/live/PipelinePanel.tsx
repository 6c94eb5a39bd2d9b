"use client";

import type { PipelineStats } from "../../server/contract";
import { clockTime, formatFigure } from "./format";

function Figure({
  id,
  label,
  value,
  warn,
  title,
}: {
  id: string;
  label: string;
  value: string;
  warn?: boolean;
  /** Shown on hover: why a state is what it is. */
  title?: string | undefined;
}) {
  return (
    <div className={`pipeline-figure${warn ? " warn" : ""}`} title={title}>
      <span className="muted">{label}</span>
      <strong data-testid={`pipeline-${id}`}>{value}</strong>
    </div>
  );
}

/** Processor progress, NATS connection, ingest and processing rates, consumer lag, dead letters per reason, too-late events. */
export function PipelinePanel({ stats }: { stats: PipelineStats | undefined }) {
  const n = (v: number | null | undefined, format: "rate" | "count" = "count") =>
    v === null || v === undefined ? "—" : formatFigure(v, format);
  const letters = stats?.deadLetters ?? [];
  return (
    <section className="panel pipeline" data-testid="pipeline" aria-label="Pipeline">
      <header className="panel-head">
        <h2>Pipeline</h2>
        <span className="muted">
          {stats ? `sampled ${clockTime(stats.sampledAt)} UTC` : "waiting for a sample…"}
        </span>
      </header>
      <div className="pipeline-grid">
        <Figure
          id="processor"
          label="Processor"
          value={stats?.processor.state ?? "—"}
          warn={
            stats !== undefined && stats.processor.state !== "idle" && stats.processor.state !== "progressing"
          }
          title={stats?.processor.detail}
        />
        <Figure
          id="nats"
          label="NATS"
          value={stats?.nats ?? "—"}
          warn={stats !== undefined && stats.nats !== "connected"}
        />
        <Figure id="ingest-rate" label="Ingested/s" value={n(stats?.ingestRate, "rate")} />
        <Figure id="processing-rate" label="Processed/s" value={n(stats?.processingRate, "rate")} />
        <Figure
          id="consumer-lag"
          label="Consumer lag (pending)"
          value={n(stats?.consumerLag)}
          warn={(stats?.consumerLag ?? 0) > 10_000}
        />
        <Figure id="ack-pending" label="In flight (unacked)" value={n(stats?.ackPending)} />
        <Figure id="stored-total" label="Events stored" value={n(stats?.storedTotal)} />
        <Figure
          id="too-late"
          label="Too late (stored raw)"
          value={n(stats?.tooLateTotal)}
          warn={(stats?.tooLateTotal ?? 0) > 0}
        />
      </div>
      <h3>Dead letters · last hour</h3>
      {letters.length === 0 ? (
        <p className="empty" data-testid="dead-letters-none">
          None.
        </p>
      ) : (
        <ul className="dead-letters" data-testid="dead-letters">
          {letters.map((row) => (
            <li key={row.reason}>
              <code>{row.reason}</code>
              <span data-testid={`dead-letters-${row.reason}`}>{formatFigure(row.count, "count")}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
