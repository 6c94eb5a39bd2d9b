"use client";

import { useState } from "react";
import styles from "./admin.module.css";

/** A secret shown once, with copy and dismiss: the server keeps only its hash. */
export function OnceSecret({ label, value, onDismiss }: { label: string; value: string; onDismiss(): void }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className={styles.secret} role="status">
      <strong>{label}</strong> — copy it now; it will not be shown again.
      <code data-testid="once-secret">{value}</code>
      <div className={styles.actions}>
        <button
          type="button"
          className={styles.secondary}
          onClick={() => void navigator.clipboard?.writeText(value).then(() => setCopied(true))}
        >
          {copied ? "Copied" : "Copy"}
        </button>
        <button type="button" className={styles.secondary} onClick={onDismiss}>
          Done
        </button>
      </div>
    </div>
  );
}

/** What an admin form answers: a secret shown once, and/or the server's error message. */
export function FormFeedback({
  secret,
  error,
  onDismiss,
}: {
  secret: { label: string; value: string } | null;
  error: string | null;
  onDismiss(): void;
}) {
  return (
    <>
      {secret && <OnceSecret label={secret.label} value={secret.value} onDismiss={onDismiss} />}
      {error && (
        <p role="alert" className={styles.error}>
          {error}
        </p>
      )}
    </>
  );
}
