"use client";

import { useState, type FormEvent } from "react";
import styles from "./auth.module.css";
import { safeNext } from "./safe-next";

export function SignInForm({ next }: { next: string | null }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    try {
      const response = await fetch("/api/auth/sign-in/email", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: form.get("email"), password: form.get("password") }),
      });
      if (response.ok) {
        window.location.assign(safeNext(next));
        return;
      }
      setError(await signInError(response));
    } catch {
      setError("Could not reach the server. Check your connection and try again.");
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className={styles.card} onSubmit={submit} aria-label="Sign in">
      <h1>Sign in to Nowcast</h1>
      <label>
        Email
        <input name="email" type="email" autoComplete="username" required autoFocus />
      </label>
      <label>
        Password
        <input name="password" type="password" autoComplete="current-password" required />
      </label>
      {error && (
        <p role="alert" className={styles.error}>
          {error}
        </p>
      )}
      <button type="submit" disabled={busy}>
        {busy ? "Signing in…" : "Sign in"}
      </button>
    </form>
  );
}

async function signInError(response: Response): Promise<string> {
  if (response.status === 429) {
    const retry = Number(response.headers.get("x-retry-after") ?? response.headers.get("retry-after"));
    const wait = Number.isFinite(retry) && retry > 0 ? `${Math.ceil(retry)} seconds` : "a minute";
    return `Too many sign-in attempts from this address. Try again in ${wait}.`;
  }
  const body = (await response.json().catch(() => null)) as { message?: string; code?: string } | null;
  if (response.status === 403 && body?.message) return body.message;
  if (response.status === 401) return "Wrong email or password.";
  return body?.message ?? `Sign-in failed (HTTP ${response.status}).`;
}
