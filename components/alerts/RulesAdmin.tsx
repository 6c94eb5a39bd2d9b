"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import type { AlertRuleSpec, AlertRuleView } from "../../server/contract";
import adminStyles from "../admin/admin.module.css";
import { fetchJson } from "../api-client";
import { channelsQuery, rulesQuery } from "./queries";
import { describeRule, EMPTY_FORM, formToSpec, specToForm, type RuleForm } from "./rule-form";
import { RuleEditor } from "./RuleEditor";

type Editing = { id: string | null; form: RuleForm } | null;

/** Rules: list, create, edit, duplicate, disable/enable, delete — each through the audited API. */
export function RulesAdmin() {
  const client = useQueryClient();
  const rules = useQuery(rulesQuery());
  const channels = useQuery(channelsQuery());
  const [editing, setEditing] = useState<Editing>(null);
  const [error, setError] = useState<string | null>(null);
  const refresh = () => client.invalidateQueries({ queryKey: ["admin", "alerts", "rules"] });

  const save = useMutation({
    mutationFn: (e: { id: string | null; spec: unknown }) =>
      fetchJson(e.id ? `/api/admin/alerts/rules/${encodeURIComponent(e.id)}` : "/api/admin/alerts/rules", {
        method: e.id ? "PUT" : "POST",
        body: JSON.stringify(e.spec),
      }),
    onSuccess: () => {
      setError(null);
      setEditing(null);
      void refresh();
    },
    onError: (e: Error) => setError(e.message),
  });
  const remove = useMutation({
    mutationFn: (id: string) =>
      fetchJson(`/api/admin/alerts/rules/${encodeURIComponent(id)}`, { method: "DELETE" }),
    onSuccess: () => void refresh(),
    onError: (e: Error) => setError(e.message),
  });
  const toggle = (rule: AlertRuleView) =>
    save.mutate({ id: rule.id, spec: { ...rule.spec, enabled: !rule.spec.enabled } });
  const duplicate = (spec: AlertRuleSpec) =>
    setEditing({ id: null, form: { ...specToForm(spec), name: `${spec.name} (copy)` } });

  return (
    <>
      {editing ? (
        <RuleEditor
          title={editing.id ? "Edit rule" : "New rule"}
          form={editing.form}
          metrics={rules.data?.metrics ?? []}
          channels={channels.data ?? []}
          saving={save.isPending}
          error={error}
          onChange={(form) => setEditing({ ...editing, form })}
          onSave={() => save.mutate({ id: editing.id, spec: formToSpec(editing.form) })}
          onCancel={() => {
            setEditing(null);
            setError(null);
          }}
        />
      ) : (
        <p>
          <button
            type="button"
            className={adminStyles.button}
            onClick={() => setEditing({ id: null, form: EMPTY_FORM })}
          >
            New rule
          </button>
        </p>
      )}
      {!editing && error && <p className={adminStyles.error}>{error}</p>}
      <section className={adminStyles.section}>
        <h2>Rules</h2>
        {rules.isPending && <p className={adminStyles.muted}>Loading rules…</p>}
        {rules.isError && <p className={adminStyles.error}>Could not load rules: {rules.error.message}</p>}
        {rules.data?.rules.length === 0 && <p className={adminStyles.muted}>No alert rules yet.</p>}
        {(rules.data?.rules.length ?? 0) > 0 && (
          <table className={adminStyles.table} aria-label="Alert rules">
            <thead>
              <tr>
                <th>Name</th>
                <th>Condition</th>
                <th>Severity</th>
                <th>Basis</th>
                <th>Status</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {rules.data?.rules.map((rule) => (
                <tr key={rule.id} data-testid={`rule-${rule.spec.name}`}>
                  <td>
                    {rule.spec.name} <span className={adminStyles.muted}>v{rule.version}</span>
                  </td>
                  <td>{describeRule(rule.spec)}</td>
                  <td>{rule.spec.severity}</td>
                  <td>{rule.spec.basis}</td>
                  <td>
                    {rule.error ? (
                      <span className={adminStyles.off} title={rule.error}>
                        error: {rule.error}
                      </span>
                    ) : (
                      <span className={rule.spec.enabled ? adminStyles.ok : adminStyles.pill}>
                        {rule.spec.enabled ? "enabled" : "disabled"}
                      </span>
                    )}
                  </td>
                  <td className={adminStyles.actions}>
                    <button
                      type="button"
                      className={adminStyles.secondary}
                      onClick={() => setEditing({ id: rule.id, form: specToForm(rule.spec) })}
                    >
                      Edit
                    </button>
                    <button
                      type="button"
                      className={adminStyles.secondary}
                      onClick={() => duplicate(rule.spec)}
                    >
                      Duplicate
                    </button>
                    <button type="button" className={adminStyles.secondary} onClick={() => toggle(rule)}>
                      {rule.spec.enabled ? "Disable" : "Enable"}
                    </button>
                    <button
                      type="button"
                      className={adminStyles.danger}
                      onClick={() => remove.mutate(rule.id)}
                    >
                      Delete
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}
