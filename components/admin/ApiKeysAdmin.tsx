"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import type { ApiKeyScope, CreatedApiKey } from "../../server/contract/auth";
import { fetchJson } from "../api-client";
import styles from "./admin.module.css";
import { FormFeedback } from "./OnceSecret";
import { apiKeysQuery, formatTime } from "./queries";

export function ApiKeysAdmin() {
  const client = useQueryClient();
  const keys = useQuery(apiKeysQuery());
  const [secret, setSecret] = useState<{ label: string; value: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const refresh = () => client.invalidateQueries({ queryKey: apiKeysQuery().queryKey });

  const create = useMutation({
    mutationFn: (body: { name: string; scope: ApiKeyScope }) =>
      fetchJson<CreatedApiKey>("/api/admin/api-keys", { method: "POST", body: JSON.stringify(body) }),
    onSuccess: (answer) => {
      setError(null);
      setSecret({ label: `Key “${answer.apiKey.name}” (${answer.apiKey.scope})`, value: answer.secret });
      void refresh();
    },
    onError: (e: Error) => setError(e.message),
  });
  const revoke = useMutation({
    mutationFn: (id: string) =>
      fetchJson(`/api/admin/api-keys/${encodeURIComponent(id)}`, { method: "DELETE" }),
    onSuccess: () => void refresh(),
    onError: (e: Error) => setError(e.message),
  });

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    create.mutate({ name: String(form.get("name") ?? ""), scope: String(form.get("scope")) as ApiKeyScope });
    event.currentTarget.reset();
  }

  return (
    <main className="page">
      <div className="page-header">
        <h1>API keys</h1>
      </div>
      <section className={styles.section}>
        <h2>Create a key</h2>
        <form className={styles.form} onSubmit={submit} aria-label="Create a key">
          <label>
            Name
            <input name="name" required maxLength={100} placeholder="checkout service" />
          </label>
          <label>
            Scope
            <select name="scope" defaultValue="ingest">
              <option value="ingest">ingest — POST /api/ingest</option>
              <option value="read">read — metrics and history APIs</option>
              <option value="score">score — POST /api/transactions/score</option>
            </select>
          </label>
          <button className={styles.button} disabled={create.isPending}>
            Create key
          </button>
        </form>
        <FormFeedback secret={secret} error={error} onDismiss={() => setSecret(null)} />
      </section>
      <section className={styles.section}>
        {keys.isPending && <p className={styles.muted}>Loading keys…</p>}
        {keys.isError && <p className={styles.error}>Could not load keys: {keys.error.message}</p>}
        {keys.data?.length === 0 && <p className={styles.muted}>No API keys yet.</p>}
        {keys.data && keys.data.length > 0 && (
          <table className={styles.table} aria-label="API keys">
            <thead>
              <tr>
                <th>Name</th>
                <th>Scope</th>
                <th>Key</th>
                <th>Created</th>
                <th>Last used</th>
                <th>Status</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {keys.data.map((key) => (
                <tr key={key.id} data-testid={`key-${key.name}`}>
                  <td>{key.name}</td>
                  <td>{key.scope}</td>
                  <td>
                    <code>{key.prefix}…</code>
                  </td>
                  <td className={styles.muted}>
                    {formatTime(key.createdAt)}
                    {key.createdBy ? ` by ${key.createdBy}` : ""}
                  </td>
                  <td className={styles.muted}>{formatTime(key.lastUsedAt)}</td>
                  <td>
                    <span className={key.revokedAt ? styles.off : styles.ok}>
                      {key.revokedAt ? "revoked" : "active"}
                    </span>
                  </td>
                  <td>
                    {!key.revokedAt && (
                      <button type="button" className={styles.danger} onClick={() => revoke.mutate(key.id)}>
                        Revoke
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </main>
  );
}
