"use client";

import { useEffect, useState } from "react";
import {
  STATISTICS,
  WINDOW_MS,
  type AlertChannelView,
  type BacktestResponse,
  type MetricDefinition,
} from "../../server/contract";
import adminStyles from "../admin/admin.module.css";
import { fetchJson } from "../api-client";
import styles from "./alerts.module.css";
import { BacktestChart } from "./BacktestChart";
import { formatDuration, formToSpec, type RuleForm } from "./rule-form";

const BACKTEST_DEBOUNCE_MS = 600;

/** Re-runs the back-test of the form's spec, debounced; the last answer (or error) wins. */
function useBacktest(form: RuleForm) {
  const [state, setState] = useState<{
    result: BacktestResponse | null;
    error: string | null;
    running: boolean;
  }>({
    result: null,
    error: null,
    running: false,
  });
  const body = JSON.stringify({ spec: formToSpec({ ...form, name: form.name || "back-test" }) });
  useEffect(() => {
    let cancelled = false;
    const timer = setTimeout(() => {
      setState((s) => ({ ...s, running: true }));
      fetchJson<BacktestResponse>("/api/admin/alerts/backtest", { method: "POST", body }).then(
        (result) => !cancelled && setState({ result, error: null, running: false }),
        (error: Error) => !cancelled && setState({ result: null, error: error.message, running: false }),
      );
    }, BACKTEST_DEBOUNCE_MS);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [body]);
  return state;
}

interface Props {
  title: string;
  form: RuleForm;
  metrics: readonly MetricDefinition[];
  channels: readonly AlertChannelView[];
  saving: boolean;
  error: string | null;
  onChange(form: RuleForm): void;
  onSave(): void;
  onCancel(): void;
}

function Field({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <label>
      {label}
      {children}
    </label>
  );
}

export function RuleEditor({
  title,
  form,
  metrics,
  channels,
  saving,
  error,
  onChange,
  onSave,
  onCancel,
}: Props) {
  const backtest = useBacktest(form);
  const set = <K extends keyof RuleForm>(key: K, value: RuleForm[K]) => onChange({ ...form, [key]: value });
  const metric = metrics.find((m) => m.name === form.metric);
  const text = (key: keyof RuleForm, label: string, placeholder = "") => (
    <Field label={label}>
      <input
        aria-label={label}
        value={String(form[key])}
        placeholder={placeholder}
        onChange={(e) => set(key, e.target.value as never)}
      />
    </Field>
  );
  const metricSelect = (key: "metric" | "denominator", label: string) => (
    <Field label={label}>
      <select aria-label={label} value={form[key]} onChange={(e) => set(key, e.target.value)}>
        {metrics.map((m) => (
          <option key={m.name} value={m.name}>
            {m.name}
          </option>
        ))}
      </select>
    </Field>
  );
  const statSelect = (key: "statistic" | "denominatorStatistic", label: string) => (
    <Field label={label}>
      <select
        aria-label={label}
        value={form[key]}
        onChange={(e) => set(key, e.target.value as RuleForm[typeof key])}
      >
        {STATISTICS.map((s) => (
          <option key={s}>{s}</option>
        ))}
      </select>
    </Field>
  );
  return (
    <section className={adminStyles.section} aria-label={title}>
      <h2>{title}</h2>
      <div className={styles.grid}>
        {text("name", "Name", "API p95 latency")}
        <Field label="Severity">
          <select
            aria-label="Severity"
            value={form.severity}
            onChange={(e) => set("severity", e.target.value as RuleForm["severity"])}
          >
            <option>info</option>
            <option>warning</option>
            <option>critical</option>
          </select>
        </Field>
        <Field label="Subject">
          <select
            aria-label="Subject"
            value={form.subjectKind}
            onChange={(e) => set("subjectKind", e.target.value as RuleForm["subjectKind"])}
          >
            <option value="metric">metric</option>
            <option value="ratio">ratio of two metrics (%)</option>
            <option value="data_age">data age (s)</option>
            <option value="dead_letters">dead letters (per window)</option>
          </select>
        </Field>
        {(form.subjectKind === "metric" || form.subjectKind === "ratio") &&
          metricSelect("metric", form.subjectKind === "ratio" ? "Numerator" : "Metric")}
        {(form.subjectKind === "metric" || form.subjectKind === "ratio") &&
          statSelect("statistic", "Statistic")}
        {form.subjectKind === "ratio" && metricSelect("denominator", "Denominator")}
        {form.subjectKind === "ratio" && statSelect("denominatorStatistic", "Denominator statistic")}
        {metric?.groupBy && (form.subjectKind === "metric" || form.subjectKind === "ratio") && (
          <Field label={`One alert per ${metric.groupBy}`}>
            <input
              type="checkbox"
              aria-label="Group"
              checked={form.grouped}
              onChange={(e) =>
                onChange({ ...form, grouped: e.target.checked, groupBy: metric.groupBy ?? "" })
              }
            />
          </Field>
        )}
        <Field label="Buckets">
          <select
            aria-label="Buckets"
            value={form.bucket}
            onChange={(e) => set("bucket", e.target.value as RuleForm["bucket"])}
          >
            <option value="1m">1 min</option>
            <option value="10s">10 s (live)</option>
          </select>
        </Field>
        <Field label="Window">
          <select
            aria-label="Window"
            value={form.windowMs}
            onChange={(e) => set("windowMs", Number(e.target.value))}
          >
            {WINDOW_MS.map((w) => (
              <option key={w} value={w}>
                {formatDuration(w)}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Condition">
          <select
            aria-label="Condition"
            value={form.conditionKind}
            onChange={(e) => set("conditionKind", e.target.value as RuleForm["conditionKind"])}
          >
            <option value="threshold">value</option>
            <option value="change">change vs previous window</option>
          </select>
        </Field>
        {form.conditionKind === "change" && (
          <Field label="Change in">
            <select
              aria-label="Change in"
              value={form.changeMode}
              onChange={(e) => set("changeMode", e.target.value as RuleForm["changeMode"])}
            >
              <option value="percent">%</option>
              <option value="absolute">absolute</option>
            </select>
          </Field>
        )}
        <Field label="Operator">
          <select
            aria-label="Operator"
            value={form.op}
            onChange={(e) => set("op", e.target.value as RuleForm["op"])}
          >
            {[">", ">=", "<", "<="].map((op) => (
              <option key={op}>{op}</option>
            ))}
          </select>
        </Field>
        {text("threshold", "Threshold")}
        {text("recoveryThreshold", "Recovery threshold", "= threshold")}
        {text("pendingS", "Pending for (s)")}
        {text("keepFiringS", "Keep firing for (s)")}
        {text("n", "N (breaches)")}
        {text("m", "of M evaluations")}
        {text("minVolume", "Minimum events")}
        {text("noDataS", "No data after (s)", "never")}
        <Field label="Basis">
          <select
            aria-label="Basis"
            value={form.basis}
            onChange={(e) => set("basis", e.target.value as RuleForm["basis"])}
          >
            <option value="open">open (fast, provisional)</option>
            <option value="final">final (after the watermark)</option>
          </select>
        </Field>
        {text("repeatMin", "Repeat every (min)")}
      </div>
      {channels.length > 0 && (
        <p>
          Notify:{" "}
          {channels.map((c) => (
            <label key={c.id} style={{ marginRight: 12 }}>
              <input
                type="checkbox"
                checked={form.channelIds.includes(c.id)}
                onChange={(e) =>
                  set(
                    "channelIds",
                    e.target.checked
                      ? [...form.channelIds, c.id]
                      : form.channelIds.filter((id) => id !== c.id),
                  )
                }
              />{" "}
              {c.name}
            </label>
          ))}
        </p>
      )}
      <h3>Back-test: the last 7 days of stored data</h3>
      {backtest.error && (
        <p className={adminStyles.error} data-testid="backtest-error">
          {backtest.error}
        </p>
      )}
      {backtest.result && (
        <>
          <div className={styles.figures} data-testid="backtest-figures">
            <div className={styles.figure}>
              <strong data-testid="backtest-fired">{backtest.result.fired}</strong>
              <span>times it would have fired</span>
            </div>
            <div className={styles.figure}>
              <strong data-testid="backtest-notifications">{backtest.result.notifications}</strong>
              <span>notifications</span>
            </div>
            <div className={styles.figure}>
              <strong>{formatDuration(backtest.result.firingMs)}</strong>
              <span>spent firing</span>
            </div>
            {backtest.running && <span className={adminStyles.muted}>re-running…</span>}
          </div>
          <BacktestChart result={backtest.result} />
        </>
      )}
      {!backtest.result && !backtest.error && <p className={adminStyles.muted}>Running the back-test…</p>}
      {error && (
        <p className={adminStyles.error} data-testid="save-error">
          {error}
        </p>
      )}
      <div className={adminStyles.actions} style={{ marginTop: 12 }}>
        <button type="button" className={adminStyles.button} disabled={saving} onClick={onSave}>
          Save rule
        </button>
        <button type="button" className={adminStyles.secondary} onClick={onCancel}>
          Cancel
        </button>
      </div>
    </section>
  );
}
