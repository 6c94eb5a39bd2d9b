import type {
  AlertRuleSpec,
  AlertRuleSpecInput,
  ComparisonOp,
  Statistic,
} from "../../server/contract/alerts";

/** The rule editor's fields, flat and as typed (numbers as text until sent). */
export interface RuleForm {
  name: string;
  description: string;
  severity: "info" | "warning" | "critical";
  subjectKind: "metric" | "ratio" | "data_age" | "dead_letters";
  metric: string;
  statistic: Statistic;
  denominator: string;
  denominatorStatistic: Statistic;
  grouped: boolean;
  groupBy: string;
  bucket: "10s" | "1m";
  windowMs: number;
  conditionKind: "threshold" | "change";
  changeMode: "absolute" | "percent";
  op: ComparisonOp;
  threshold: string;
  recoveryThreshold: string;
  pendingS: string;
  keepFiringS: string;
  n: string;
  m: string;
  minVolume: string;
  noDataS: string;
  basis: "open" | "final";
  repeatMin: string;
  channelIds: string[];
  enabled: boolean;
}

export const EMPTY_FORM: RuleForm = {
  name: "",
  description: "",
  severity: "warning",
  subjectKind: "metric",
  metric: "api_latency",
  statistic: "p95",
  denominator: "api_requests",
  denominatorStatistic: "count",
  grouped: false,
  groupBy: "",
  bucket: "1m",
  windowMs: 60_000,
  conditionKind: "threshold",
  changeMode: "percent",
  op: ">",
  threshold: "500",
  recoveryThreshold: "",
  pendingS: "0",
  keepFiringS: "0",
  n: "1",
  m: "1",
  minVolume: "0",
  noDataS: "",
  basis: "open",
  repeatMin: "60",
  channelIds: [],
  enabled: true,
};

// Text the user typed becomes a number; anything else is sent as is so the server names the field.
const num = (text: string): number => (text.trim() === "" ? Number.NaN : Number(text));
const optional = (text: string): number | null => (text.trim() === "" ? null : Number(text));

/** The spec the form describes (validated by the server, which names a bad field). */
export function formToSpec(f: RuleForm): AlertRuleSpecInput {
  const subject: AlertRuleSpecInput["subject"] =
    f.subjectKind === "metric"
      ? { kind: "metric", metric: f.metric, statistic: f.statistic }
      : f.subjectKind === "ratio"
        ? {
            kind: "ratio",
            numerator: { metric: f.metric, statistic: f.statistic },
            denominator: { metric: f.denominator, statistic: f.denominatorStatistic },
          }
        : { kind: f.subjectKind };
  const threshold = num(f.threshold);
  const noData = optional(f.noDataS);
  return {
    name: f.name,
    description: f.description,
    severity: f.severity,
    labels: {},
    subject,
    groupBy: f.grouped && f.groupBy ? f.groupBy : null,
    bucket: f.bucket,
    windowMs: f.windowMs,
    condition:
      f.conditionKind === "threshold"
        ? { kind: "threshold", op: f.op, threshold }
        : { kind: "change", mode: f.changeMode, op: f.op, threshold },
    recoveryThreshold: optional(f.recoveryThreshold),
    pendingMs: Math.round(num(f.pendingS) * 1000),
    keepFiringMs: Math.round(num(f.keepFiringS) * 1000),
    nOfM: { n: num(f.n), m: num(f.m) },
    minVolume: num(f.minVolume),
    noDataMs: noData === null ? null : Math.round(noData * 1000),
    basis: f.basis,
    repeatIntervalMs: Math.round(num(f.repeatMin) * 60_000),
    channelIds: f.channelIds,
    enabled: f.enabled,
  };
}

/** The form for a stored spec (edit, duplicate). */
export function specToForm(s: AlertRuleSpec): RuleForm {
  const subject = s.subject;
  return {
    ...EMPTY_FORM,
    name: s.name,
    description: s.description,
    severity: s.severity,
    subjectKind: subject.kind,
    metric:
      subject.kind === "metric"
        ? subject.metric
        : subject.kind === "ratio"
          ? subject.numerator.metric
          : EMPTY_FORM.metric,
    statistic:
      subject.kind === "metric"
        ? subject.statistic
        : subject.kind === "ratio"
          ? subject.numerator.statistic
          : "count",
    denominator: subject.kind === "ratio" ? subject.denominator.metric : EMPTY_FORM.denominator,
    denominatorStatistic: subject.kind === "ratio" ? subject.denominator.statistic : "count",
    grouped: s.groupBy !== null,
    groupBy: s.groupBy ?? "",
    bucket: s.bucket,
    windowMs: s.windowMs,
    conditionKind: s.condition.kind,
    changeMode: s.condition.kind === "change" ? s.condition.mode : "percent",
    op: s.condition.op,
    threshold: String(s.condition.threshold),
    recoveryThreshold: s.recoveryThreshold === null ? "" : String(s.recoveryThreshold),
    pendingS: String(s.pendingMs / 1000),
    keepFiringS: String(s.keepFiringMs / 1000),
    n: String(s.nOfM.n),
    m: String(s.nOfM.m),
    minVolume: String(s.minVolume),
    noDataS: s.noDataMs === null ? "" : String(s.noDataMs / 1000),
    basis: s.basis,
    repeatMin: String(s.repeatIntervalMs / 60_000),
    channelIds: s.channelIds,
    enabled: s.enabled,
  };
}

/** One line a person reads: "p95 of api_latency over 5 min > 500 (recovers ≤ 400)". */
export function describeRule(s: AlertRuleSpec): string {
  const subject =
    s.subject.kind === "metric"
      ? `${s.subject.statistic} of ${s.subject.metric}`
      : s.subject.kind === "ratio"
        ? `${s.subject.numerator.statistic}(${s.subject.numerator.metric}) / ${s.subject.denominator.statistic}(${s.subject.denominator.metric}) %`
        : s.subject.kind === "data_age"
          ? "data age (s)"
          : "dead letters";
  const window = s.windowMs >= 60_000 ? `${s.windowMs / 60_000} min` : `${s.windowMs / 1000} s`;
  const c = s.condition;
  const cond =
    c.kind === "threshold"
      ? `${c.op} ${c.threshold}`
      : `change ${c.op} ${c.threshold}${c.mode === "percent" ? " %" : ""}`;
  const recovery = s.recoveryThreshold === null ? "" : ` (recovers past ${s.recoveryThreshold})`;
  const group = s.groupBy ? ` per ${s.groupBy}` : "";
  return `${subject}${group} over ${window} ${cond}${recovery}`;
}

export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min`;
  const hours = Math.floor(ms / 3_600_000);
  const minutes = Math.round((ms % 3_600_000) / 60_000);
  return minutes > 0 ? `${hours} h ${minutes} min` : `${hours} h`;
}

export function formatValue(value: number | null, unit = ""): string {
  if (value === null) return "—";
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return `${value.toFixed(digits)}${unit ? ` ${unit}` : ""}`;
}
