"use client";

import type { FormEvent } from "react";
import { LIST_KINDS, type FraudListEntry, type FraudListKind } from "../../server/contract/fraud";
import styles from "./fraud.module.css";
import admin from "../admin/admin.module.css";

type Entry = Pick<FraudListEntry, "kind" | "value"> & Partial<FraudListEntry>;

/** An allow or block list: entries by card, customer, device or country; add and remove. */
export function ListEditor({
  name,
  entries,
  onChange,
}: {
  name: "Allow" | "Block";
  entries: Entry[];
  onChange: (entries: Entry[]) => void;
}) {
  function add(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const value = String(form.get("value") ?? "").trim();
    if (!value) return;
    const kind = String(form.get("kind")) as FraudListKind;
    onChange([
      ...entries,
      { kind, value, note: String(form.get("note") ?? ""), shadow: form.get("shadow") === "on" },
    ]);
    event.currentTarget.reset();
  }
  return (
    <div className={styles.stack}>
      <h3>{name} list</h3>
      <ul className={styles.ruleList} aria-label={`${name} list`}>
        {entries.length === 0 && <li className={admin.muted}>empty</li>}
        {entries.map((e, i) => (
          <li key={`${e.kind}:${e.value}:${i}`}>
            <span className={styles.ruleText}>
              <code>{e.kind}</code> {e.value} {e.note ? `— ${e.note}` : ""}
              {e.shadow && <span className={styles.shadowTag}>shadow</span>}
            </span>
            <button
              type="button"
              className={`${admin.secondary} ${styles.small}`}
              onClick={() => onChange(entries.filter((_, j) => j !== i))}
            >
              Remove
            </button>
          </li>
        ))}
      </ul>
      <form className={admin.form} onSubmit={add} aria-label={`Add to the ${name.toLowerCase()} list`}>
        <select name="kind" aria-label="Kind">
          {LIST_KINDS.map((k) => (
            <option key={k}>{k}</option>
          ))}
        </select>
        <input name="value" aria-label="Value" placeholder="id or country code" maxLength={256} />
        <input name="note" aria-label="Note" placeholder="note" maxLength={200} />
        <label style={{ flexDirection: "row", alignItems: "center" }}>
          <input name="shadow" type="checkbox" /> shadow
        </label>
        <button className={admin.secondary}>Add</button>
      </form>
    </div>
  );
}
