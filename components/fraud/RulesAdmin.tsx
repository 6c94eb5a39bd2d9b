"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import type {
  BacktestResult,
  FraudRuleInput,
  FraudRuleSetInput,
  FraudRuleSetVersion,
} from "../../server/contract/fraud";
import styles from "./fraud.module.css";
import admin from "../admin/admin.module.css";
import { formatTime } from "../admin/queries";
import { BacktestPanel } from "./BacktestPanel";
import { describeRule, move } from "./format";
import { ListEditor } from "./ListEditor";
import { RuleForm } from "./RuleForm";
import { ruleSetsQuery, runBacktest, saveRuleSet } from "./queries";

/** /admin/fraud: the newest rule set as an editable draft; back-test it, then save it as the next version. */
export function RulesAdmin() {
  const sets = useQuery(ruleSetsQuery());
  return (
    <main className="page">
      <div className="page-header">
        <h1>Fraud rules</h1>
      </div>
      {sets.isPending && <p className={admin.muted}>Loading…</p>}
      {sets.isError && <p className={admin.error}>Could not load the rules: {sets.error.message}</p>}
      {sets.data?.current && (
        <Editor key={sets.data.current.version} current={sets.data.current} versions={sets.data.versions} />
      )}
    </main>
  );
}

function Editor({ current, versions }: { current: FraudRuleSetVersion; versions: FraudRuleSetVersion[] }) {
  const client = useQueryClient();
  const [draft, setDraft] = useState<FraudRuleSetInput>(current.ruleSet);
  const [days, setDays] = useState(7);
  const [note, setNote] = useState("");
  const [result, setResult] = useState<BacktestResult | null>(null);
  const [message, setMessage] = useState<{ error: boolean; text: string } | null>(null);
  const backtest = useMutation({
    mutationFn: () => runBacktest(draft, days),
    onSuccess: setResult,
    onError: (e) => setMessage({ error: true, text: e.message }),
  });
  const save = useMutation({
    mutationFn: () => saveRuleSet(current.version, draft, note),
    onSuccess: (saved) => {
      setMessage({ error: false, text: `Saved as version ${saved.version}.` });
      void client.invalidateQueries({ queryKey: ["fraud", "rules"] });
    },
    onError: (e) => setMessage({ error: true, text: e.message }),
  });
  const rules = draft.rules ?? [];
  const change = (next: Partial<FraudRuleSetInput>) => {
    setDraft({ ...draft, ...next });
    setResult(null);
  };

  return (
    <>
      <section className={admin.section}>
        <h2>
          Draft from version {current.version}{" "}
          <span className={admin.muted}>
            · saved {formatTime(current.createdAt)} by {current.createdBy}
          </span>
        </h2>
        <p className={admin.muted}>
          Evaluated in this order: allow list (approve), block list (flag), then the rules; flagged when the
          points reach the threshold. Shadow entries and rules are evaluated and logged but never decide.
        </p>
        <label className={admin.form}>
          Flag threshold (points)
          <input
            type="number"
            min={1}
            max={100}
            value={draft.flagThreshold}
            aria-label="Flag threshold"
            onChange={(e) => change({ flagThreshold: Number(e.target.value) })}
          />
        </label>
      </section>
      <section className={admin.section}>
        <ListEditor name="Allow" entries={draft.allow ?? []} onChange={(allow) => change({ allow })} />
        <ListEditor name="Block" entries={draft.block ?? []} onChange={(block) => change({ block })} />
      </section>
      <section className={admin.section}>
        <h2>Score rules</h2>
        <RuleList rules={rules} onChange={(next) => change({ rules: next })} />
        <h3>Add a rule</h3>
        <RuleForm taken={rules.map((r) => r.id)} onAdd={(rule) => change({ rules: [...rules, rule] })} />
      </section>
      <section className={admin.section}>
        <h2>Back-test and save</h2>
        <div className={admin.form}>
          <label>
            Replay the last (days)
            <input
              type="number"
              min={1}
              max={90}
              value={days}
              onChange={(e) => setDays(Number(e.target.value))}
            />
          </label>
          <button
            type="button"
            className={admin.button}
            disabled={backtest.isPending}
            onClick={() => backtest.mutate()}
          >
            {backtest.isPending ? "Back-testing…" : "Back-test draft"}
          </button>
          <label>
            Note
            <input
              value={note}
              maxLength={200}
              onChange={(e) => setNote(e.target.value)}
              placeholder="what changed"
            />
          </label>
          <button
            type="button"
            className={admin.button}
            disabled={save.isPending}
            onClick={() => save.mutate()}
          >
            Save as version {current.version + 1}
          </button>
        </div>
        {message && (
          <p className={message.error ? admin.error : admin.muted} role="status">
            {message.text}
          </p>
        )}
        {result && <BacktestPanel result={result} />}
      </section>
      <section className={admin.section}>
        <h2>Versions</h2>
        <table className={admin.table} aria-label="Rule set versions">
          <tbody>
            {versions.map((v) => (
              <tr key={v.version}>
                <td>v{v.version}</td>
                <td className={admin.muted}>{formatTime(v.createdAt)}</td>
                <td>{v.createdBy}</td>
                <td>{v.ruleSet.rules.length} rules</td>
                <td>{v.note}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </>
  );
}

/** The ordered score rules: move, shadow or go live, remove. */
function RuleList({
  rules,
  onChange,
}: {
  rules: FraudRuleInput[];
  onChange: (rules: FraudRuleInput[]) => void;
}) {
  return (
    <ol className={styles.ruleList} aria-label="Score rules">
      {rules.map((rule, i) => (
        <li key={rule.id} data-testid="rule-row">
          <span className={styles.ruleText}>
            <code>{rule.id}</code> {rule.shadow && <span className={styles.shadowTag}>shadow</span>}
            <br />
            {describeRule(rule)}
            {rule.description ? <span className={admin.muted}> — {rule.description}</span> : null}
          </span>
          <button
            type="button"
            className={`${admin.secondary} ${styles.small}`}
            onClick={() => onChange(move(rules, i, -1))}
          >
            Up
          </button>
          <button
            type="button"
            className={`${admin.secondary} ${styles.small}`}
            onClick={() => onChange(move(rules, i, 1))}
          >
            Down
          </button>
          <button
            type="button"
            className={`${admin.secondary} ${styles.small}`}
            onClick={() => onChange(rules.map((r, j) => (j === i ? { ...r, shadow: !r.shadow } : r)))}
          >
            {rule.shadow ? "Go live" : "Shadow"}
          </button>
          <button
            type="button"
            className={`${admin.danger} ${styles.small}`}
            onClick={() => onChange(rules.filter((_, j) => j !== i))}
          >
            Remove
          </button>
        </li>
      ))}
    </ol>
  );
}
