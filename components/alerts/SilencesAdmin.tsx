"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import type { AlertSilenceView } from "../../server/contract";
import adminStyles from "../admin/admin.module.css";
import { formatTime } from "../admin/queries";
import { fetchJson } from "../api-client";
import { silencesQuery } from "./queries";

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

function describe(s: AlertSilenceView["spec"]): string {
  const match = s.matchers.map((m) => `${m.label} = ${m.value}`).join(" and ");
  if (s.recurring)
    return `${match}: ${s.recurring.days.map((d) => DAYS[d]).join(", ")} ${s.recurring.start}–${s.recurring.end} ${s.recurring.timeZone}`;
  return `${match}: until ${formatTime(s.endsAt)}`;
}

/** Silences until a time, and recurring mute windows in an IANA zone. */
export function SilencesAdmin() {
  const client = useQueryClient();
  const silences = useQuery(silencesQuery());
  const [error, setError] = useState<string | null>(null);
  const refresh = () => client.invalidateQueries({ queryKey: silencesQuery().queryKey });
  const create = useMutation({
    mutationFn: (body: object) =>
      fetchJson("/api/admin/alerts/silences", { method: "POST", body: JSON.stringify(body) }),
    onSuccess: () => {
      setError(null);
      void refresh();
    },
    onError: (e: Error) => setError(e.message),
  });
  const remove = useMutation({
    mutationFn: (id: string) =>
      fetchJson(`/api/admin/alerts/silences/${encodeURIComponent(id)}`, { method: "DELETE" }),
    onSuccess: () => void refresh(),
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const f = new FormData(event.currentTarget);
    const recurring = f.get("kind") === "recurring";
    const hours = Number(f.get("hours") ?? 1);
    create.mutate({
      comment: f.get("comment") ?? "",
      matchers: [{ label: String(f.get("label")), value: String(f.get("value")) }],
      endsAt: recurring ? null : new Date(Date.now() + hours * 3_600_000).toISOString(),
      recurring: recurring
        ? {
            days: f.getAll("days").map(Number),
            start: String(f.get("start")),
            end: String(f.get("end")),
            timeZone: String(f.get("zone")),
          }
        : null,
    });
  };
  return (
    <>
      <section className={adminStyles.section}>
        <h2>New silence or mute window</h2>
        <form className={adminStyles.form} onSubmit={submit} aria-label="New silence">
          <label>
            Label
            <select name="label" defaultValue="rule">
              <option value="rule">rule</option>
              <option value="severity">severity</option>
              <option value="group">group</option>
            </select>
          </label>
          <label>
            equals
            <input name="value" required placeholder="API p95 latency" />
          </label>
          <label>
            Kind
            <select name="kind" defaultValue="until">
              <option value="until">for some hours</option>
              <option value="recurring">recurring window</option>
            </select>
          </label>
          <label>
            Hours
            <input name="hours" type="number" min={1} max={720} defaultValue={2} />
          </label>
          <label>
            Days
            <span>
              {DAYS.map((d, i) => (
                <label key={d} style={{ display: "inline", marginRight: 6 }}>
                  <input type="checkbox" name="days" value={i} defaultChecked={i >= 1 && i <= 5} /> {d}
                </label>
              ))}
            </span>
          </label>
          <label>
            From
            <input name="start" defaultValue="22:00" pattern="\d\d:\d\d" />
          </label>
          <label>
            To
            <input name="end" defaultValue="06:00" pattern="\d\d:\d\d" />
          </label>
          <label>
            Time zone
            <input name="zone" defaultValue="Europe/Berlin" />
          </label>
          <label>
            Comment
            <input name="comment" maxLength={500} />
          </label>
          <button className={adminStyles.button} disabled={create.isPending}>
            Add
          </button>
        </form>
        {error && <p className={adminStyles.error}>{error}</p>}
      </section>
      <section className={adminStyles.section}>
        <h2>Silences</h2>
        {silences.data?.length === 0 && <p className={adminStyles.muted}>No silences.</p>}
        {(silences.data?.length ?? 0) > 0 && (
          <table className={adminStyles.table} aria-label="Silences">
            <tbody>
              {silences.data?.map((s) => (
                <tr key={s.id}>
                  <td>{describe(s.spec)}</td>
                  <td className={adminStyles.muted}>{s.spec.comment}</td>
                  <td className={adminStyles.muted}>by {s.createdBy}</td>
                  <td>
                    <button type="button" className={adminStyles.danger} onClick={() => remove.mutate(s.id)}>
                      End
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
