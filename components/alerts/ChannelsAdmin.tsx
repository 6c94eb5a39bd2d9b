"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import adminStyles from "../admin/admin.module.css";
import { formatTime } from "../admin/queries";
import { fetchJson } from "../api-client";
import { channelsQuery, deliveriesQuery } from "./queries";

function DeliveryLog({ channelId }: { channelId: string }) {
  const deliveries = useQuery(deliveriesQuery(channelId));
  if (deliveries.isPending) return <p className={adminStyles.muted}>Loading deliveries…</p>;
  if (deliveries.isError) return <p className={adminStyles.error}>{deliveries.error.message}</p>;
  if (deliveries.data.length === 0) return <p className={adminStyles.muted}>Nothing sent yet.</p>;
  return (
    <table className={adminStyles.table} aria-label="Delivery log">
      <thead>
        <tr>
          <th>Queued</th>
          <th>Notification</th>
          <th>Status</th>
          <th>Attempts</th>
          <th>Last answer</th>
        </tr>
      </thead>
      <tbody>
        {deliveries.data.map((d) => (
          <tr key={d.id}>
            <td className={adminStyles.muted}>{formatTime(d.createdAt)}</td>
            <td>{d.summary}</td>
            <td>
              <span
                className={
                  d.status === "succeeded"
                    ? adminStyles.ok
                    : d.status === "failed"
                      ? adminStyles.off
                      : adminStyles.pill
                }
              >
                {d.status}
              </span>
            </td>
            <td>{d.attempts}</td>
            <td className={adminStyles.change}>
              {d.lastStatusCode ?? "—"} {d.lastError ?? ""}{" "}
              {d.responseExcerpt ? `“${d.responseExcerpt.slice(0, 120)}”` : ""}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Webhook channels: create, send test, delete, and each one's delivery log. */
export function ChannelsAdmin() {
  const client = useQueryClient();
  const channels = useQuery(channelsQuery());
  const [open, setOpen] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const refresh = () => client.invalidateQueries({ queryKey: ["admin", "alerts"] });
  const create = useMutation({
    mutationFn: (body: object) =>
      fetchJson("/api/admin/alerts/channels", { method: "POST", body: JSON.stringify(body) }),
    onSuccess: () => {
      setError(null);
      void refresh();
    },
    onError: (e: Error) => setError(e.message),
  });
  const test = useMutation({
    mutationFn: (id: string) =>
      fetchJson(`/api/admin/alerts/channels/${encodeURIComponent(id)}/test`, { method: "POST" }),
    onSuccess: (_, id) => {
      setOpen(id);
      void refresh();
    },
    onError: (e: Error) => setError(e.message),
  });
  const remove = useMutation({
    mutationFn: (id: string) =>
      fetchJson(`/api/admin/alerts/channels/${encodeURIComponent(id)}`, { method: "DELETE" }),
    onSuccess: () => void refresh(),
    onError: (e: Error) => setError(e.message),
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const f = new FormData(event.currentTarget);
    create.mutate({ name: f.get("name"), url: f.get("url"), secret: f.get("secret"), enabled: true });
  };
  return (
    <>
      <section className={adminStyles.section}>
        <h2>New webhook channel</h2>
        <form className={adminStyles.form} onSubmit={submit} aria-label="New channel">
          <label>
            Name
            <input name="name" required maxLength={100} placeholder="on-call" />
          </label>
          <label>
            URL
            <input name="url" required placeholder="https://hooks.example.com/nowcast" size={40} />
          </label>
          <label>
            Signing secret (≥ 16 characters)
            <input name="secret" required type="password" minLength={16} />
          </label>
          <button className={adminStyles.button} disabled={create.isPending}>
            Add channel
          </button>
        </form>
        {error && <p className={adminStyles.error}>{error}</p>}
      </section>
      <section className={adminStyles.section}>
        <h2>Channels</h2>
        {channels.data?.length === 0 && (
          <p className={adminStyles.muted}>No channels yet: alerts show in the app only.</p>
        )}
        {channels.data?.map((c) => (
          <div key={c.id} style={{ marginBottom: 14 }} data-testid={`channel-${c.name}`}>
            <div className={adminStyles.actions} style={{ alignItems: "center" }}>
              <strong>{c.name}</strong>
              <code className={adminStyles.muted}>{c.url}</code>
              <button type="button" className={adminStyles.secondary} onClick={() => test.mutate(c.id)}>
                Send test
              </button>
              <button
                type="button"
                className={adminStyles.secondary}
                onClick={() => setOpen(open === c.id ? null : c.id)}
              >
                {open === c.id ? "Hide log" : "Delivery log"}
              </button>
              <button type="button" className={adminStyles.danger} onClick={() => remove.mutate(c.id)}>
                Delete
              </button>
            </div>
            {open === c.id && <DeliveryLog channelId={c.id} />}
          </div>
        ))}
      </section>
    </>
  );
}
