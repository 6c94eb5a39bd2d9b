"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { ROLES, type Role, type UserView, type UserWithPassword } from "../../server/contract/auth";
import { fetchJson } from "../api-client";
import styles from "./admin.module.css";
import { FormFeedback } from "./OnceSecret";
import { formatTime, usersQuery } from "./queries";

export function UsersAdmin({ selfId }: { selfId: string }) {
  const client = useQueryClient();
  const users = useQuery(usersQuery());
  const [secret, setSecret] = useState<{ label: string; value: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const refresh = () => client.invalidateQueries({ queryKey: usersQuery().queryKey });
  const onError = (e: Error) => setError(e.message);

  const create = useMutation({
    mutationFn: (body: { name: string; email: string; role: Role; password?: string }) =>
      fetchJson<UserWithPassword>("/api/admin/users", { method: "POST", body: JSON.stringify(body) }),
    onSuccess: (answer) => {
      setError(null);
      setSecret({ label: `Password for ${answer.user.email}`, value: answer.password });
      void refresh();
    },
    onError,
  });
  const update = useMutation({
    mutationFn: ({ id, ...change }: { id: string; role?: Role; disabled?: boolean }) =>
      fetchJson(`/api/admin/users/${encodeURIComponent(id)}`, {
        method: "PATCH",
        body: JSON.stringify(change),
      }),
    onSuccess: () => {
      setError(null);
      void refresh();
    },
    onError,
  });
  const reset = useMutation({
    mutationFn: (user: UserView) =>
      fetchJson<UserWithPassword>(`/api/admin/users/${encodeURIComponent(user.id)}/password`, {
        method: "POST",
        body: "{}",
      }),
    onSuccess: (answer) => {
      setError(null);
      setSecret({ label: `New password for ${answer.user.email}`, value: answer.password });
    },
    onError,
  });

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const password = String(form.get("password") ?? "");
    create.mutate({
      name: String(form.get("name") ?? ""),
      email: String(form.get("email") ?? ""),
      role: String(form.get("role")) as Role,
      ...(password ? { password } : {}),
    });
    event.currentTarget.reset();
  }

  return (
    <main className="page">
      <div className="page-header">
        <h1>Users</h1>
      </div>
      <section className={styles.section}>
        <h2>Add a user</h2>
        <form className={styles.form} onSubmit={submit} aria-label="Add a user">
          <label>
            Name
            <input name="name" required maxLength={100} />
          </label>
          <label>
            Email
            <input name="email" type="email" required />
          </label>
          <label>
            Role
            <select name="role" defaultValue="viewer">
              {ROLES.map((r) => (
                <option key={r}>{r}</option>
              ))}
            </select>
          </label>
          <label>
            Password (empty: generate)
            <input name="password" type="password" minLength={12} autoComplete="new-password" />
          </label>
          <button className={styles.button} disabled={create.isPending}>
            Add user
          </button>
        </form>
        <FormFeedback secret={secret} error={error} onDismiss={() => setSecret(null)} />
      </section>
      <section className={styles.section}>
        {users.isPending && <p className={styles.muted}>Loading users…</p>}
        {users.isError && <p className={styles.error}>Could not load users: {users.error.message}</p>}
        {users.data && (
          <table className={styles.table} aria-label="Users">
            <thead>
              <tr>
                <th>Email</th>
                <th>Name</th>
                <th>Role</th>
                <th>Status</th>
                <th>Last active</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {users.data.map((user) => (
                <tr key={user.id} data-testid={`user-${user.email}`}>
                  <td>{user.email}</td>
                  <td>{user.name}</td>
                  <td>
                    <select
                      aria-label={`Role of ${user.email}`}
                      value={user.role}
                      disabled={user.id === selfId || update.isPending}
                      onChange={(e) => update.mutate({ id: user.id, role: e.target.value as Role })}
                    >
                      {ROLES.map((r) => (
                        <option key={r}>{r}</option>
                      ))}
                    </select>
                  </td>
                  <td>
                    <span className={user.disabled ? styles.off : styles.ok}>
                      {user.disabled ? "disabled" : "active"}
                    </span>
                  </td>
                  <td className={styles.muted}>{formatTime(user.lastSeenAt)}</td>
                  <td>
                    <div className={styles.actions}>
                      {user.id !== selfId && (
                        <button
                          type="button"
                          className={user.disabled ? styles.secondary : styles.danger}
                          onClick={() => update.mutate({ id: user.id, disabled: !user.disabled })}
                        >
                          {user.disabled ? "Enable" : "Disable"}
                        </button>
                      )}
                      <button type="button" className={styles.secondary} onClick={() => reset.mutate(user)}>
                        Reset password
                      </button>
                    </div>
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
