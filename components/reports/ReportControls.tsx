"use client";

import { useState } from "react";
import type { MetricDefinition } from "../../server/contract";
import { STEPS } from "../../server/contract/history";
import {
  fromLocalInput,
  LIMITS,
  PRESETS,
  presetRange,
  STATS,
  toLocalInput,
  type ReportState,
} from "./report-state";
import styles from "./reports.module.css";

const ZONES = [
  "UTC",
  "America/New_York",
  "Europe/London",
  "Europe/Berlin",
  "Asia/Kolkata",
  "Asia/Tokyo",
  "Australia/Sydney",
];

interface Props {
  state: ReportState & { stat: ReportState["stat"] };
  metrics: MetricDefinition[];
  definition: MetricDefinition | undefined;
  browserZone: string;
  onChange: (patch: Partial<ReportState>) => void;
  onExport: (() => void) | null;
}

/** Metric, range (presets or custom), step, zone, statistic, group-by, compare and export. */
export function ReportControls({ state, metrics, definition, browserZone, onChange, onExport }: Props) {
  const zones = [...new Set([browserZone, state.tz, ...ZONES])];
  return (
    <div className={styles.controls}>
      <label className={styles.field}>
        Metric
        <select
          value={state.metric ?? ""}
          onChange={(e) => onChange({ metric: e.target.value })}
          data-testid="metric"
        >
          {metrics.map((m) => (
            <option key={m.name} value={m.name}>
              {m.name}
            </option>
          ))}
        </select>
      </label>
      <div className={styles.field}>
        Range
        <div className={styles.presets} role="group" aria-label="Range presets">
          {(Object.keys(PRESETS) as (keyof typeof PRESETS)[]).map((preset) => (
            <button
              key={preset}
              type="button"
              className={`${styles.preset} ${state.preset === preset ? styles.presetActive : ""}`}
              aria-pressed={state.preset === preset}
              onClick={() => onChange({ preset, ...presetRange(preset, Date.now()) })}
            >
              {preset}
            </button>
          ))}
          <button
            type="button"
            className={`${styles.preset} ${state.preset === "custom" ? styles.presetActive : ""}`}
            aria-pressed={state.preset === "custom"}
            onClick={() => onChange({ preset: "custom" })}
          >
            custom
          </button>
        </div>
      </div>
      {state.preset === "custom" ? (
        // Keyed by the applied range so the inputs reset when it changes elsewhere.
        <CustomRange key={`${state.from}-${state.to}-${state.tz}`} state={state} onChange={onChange} />
      ) : null}
      <label className={styles.field}>
        Step
        <select
          value={state.step}
          onChange={(e) => onChange({ step: e.target.value as ReportState["step"] })}
          data-testid="step"
        >
          {["auto", ...STEPS].map((step) => (
            <option key={step} value={step}>
              {step}
            </option>
          ))}
        </select>
      </label>
      <label className={styles.field}>
        Time zone
        <select value={state.tz} onChange={(e) => onChange({ tz: e.target.value })} data-testid="tz">
          {zones.map((zone) => (
            <option key={zone} value={zone}>
              {zone}
            </option>
          ))}
        </select>
      </label>
      <label className={styles.field}>
        Statistic
        <select
          value={state.stat}
          onChange={(e) => onChange({ stat: e.target.value as ReportState["stat"] })}
          data-testid="stat"
        >
          {STATS.map((stat) => (
            <option key={stat} value={stat}>
              {stat}
            </option>
          ))}
        </select>
      </label>
      <label className={styles.check}>
        <input
          type="checkbox"
          checked={state.grouped && Boolean(definition?.groupBy)}
          disabled={!definition?.groupBy}
          onChange={(e) => onChange({ grouped: e.target.checked })}
          data-testid="group"
        />
        {definition?.groupBy ? `By ${definition.groupBy}` : "No group-by"}
      </label>
      <label className={styles.field}>
        Top
        <select
          value={state.limit}
          disabled={!state.grouped || !definition?.groupBy}
          onChange={(e) => onChange({ limit: Number(e.target.value) })}
          data-testid="limit"
        >
          {LIMITS.map((limit) => (
            <option key={limit} value={limit}>
              {limit} + other
            </option>
          ))}
        </select>
      </label>
      <label className={styles.check}>
        <input
          type="checkbox"
          checked={state.compare}
          onChange={(e) => onChange({ compare: e.target.checked })}
          data-testid="compare"
        />
        Compare with previous period
      </label>
      <button
        type="button"
        className={`${styles.button} ${styles.primary}`}
        disabled={!onExport}
        onClick={() => onExport?.()}
        data-testid="export"
      >
        Export CSV
      </button>
    </div>
  );
}

function CustomRange({ state, onChange }: { state: ReportState; onChange: Props["onChange"] }) {
  const [from, setFrom] = useState(() => toLocalInput(state.from, state.tz));
  const [to, setTo] = useState(() => toLocalInput(state.to, state.tz));
  const fromMs = fromLocalInput(from, state.tz);
  const toMs = fromLocalInput(to, state.tz);
  const problem =
    fromMs === null || toMs === null
      ? "enter a date and time"
      : toMs <= fromMs
        ? "“to” must be after “from”"
        : null;
  return (
    <>
      <label className={styles.field}>
        From ({state.tz})
        <input
          type="datetime-local"
          value={from}
          onChange={(e) => setFrom(e.target.value)}
          data-testid="custom-from"
        />
      </label>
      <label className={styles.field}>
        To ({state.tz})
        <input
          type="datetime-local"
          value={to}
          onChange={(e) => setTo(e.target.value)}
          data-testid="custom-to"
        />
      </label>
      <button
        type="button"
        className={styles.button}
        disabled={problem !== null}
        title={problem ?? undefined}
        onClick={() =>
          fromMs !== null && toMs !== null && onChange({ preset: "custom", from: fromMs, to: toMs })
        }
        data-testid="apply-range"
      >
        Apply
      </button>
    </>
  );
}
