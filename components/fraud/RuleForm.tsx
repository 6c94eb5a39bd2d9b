"use client";

import { useState, type FormEvent } from "react";
import {
  BOOLEAN_FEATURES,
  NUMERIC_FEATURES,
  TEXT_FEATURES,
  type FraudCondition,
  type FraudRuleInput,
} from "../../server/contract/fraud";
import admin from "../admin/admin.module.css";
import { conditionFrom } from "./format";

type Kind = "numeric" | "boolean" | "text";
const kindOf = (feature: string): Kind =>
  (NUMERIC_FEATURES as readonly string[]).includes(feature)
    ? "numeric"
    : (BOOLEAN_FEATURES as readonly string[]).includes(feature)
      ? "boolean"
      : "text";
const OPS: Record<Kind, string[]> = {
  numeric: ["gte", "gt", "lte", "lt"],
  boolean: ["is"],
  text: ["in", "not_in"],
};
const FEATURES = [...NUMERIC_FEATURES, ...BOOLEAN_FEATURES, ...TEXT_FEATURES];

/** Adds a score rule (one or two conditions) to the draft; the server validates the whole set again. */
export function RuleForm({ onAdd, taken }: { onAdd: (rule: FraudRuleInput) => void; taken: string[] }) {
  const [features, setFeatures] = useState(["card_count_1m", ""]);
  const [effect, setEffect] = useState("score");
  const [error, setError] = useState<string | null>(null);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const get = (name: string) => String(form.get(name) ?? "");
    const id = get("id").trim();
    if (!/^[a-z][a-z0-9_]{0,47}$/.test(id))
      return setError("Rule id: lower case letters, digits and _, starting with a letter.");
    if (taken.includes(id)) return setError(`Rule id ${id} is already in the set.`);
    const when: FraudCondition[] = [];
    for (const [i, feature] of features.entries()) {
      if (!feature) continue;
      const condition = conditionFrom(feature, kindOf(feature), get(`op${i}`), get(`value${i}`));
      if (!condition) return setError(`Condition ${i + 1}: give a ${kindOf(feature)} value for ${feature}.`);
      when.push(condition);
    }
    const points = Number(get("points"));
    if (effect === "score" && !(Number.isInteger(points) && points >= 1 && points <= 100))
      return setError("Points: a whole number from 1 to 100.");
    setError(null);
    onAdd({
      id,
      description: get("description"),
      when,
      effect: effect === "score" ? { kind: "score", points } : { kind: effect as "flag" | "approve" },
      shadow: form.get("shadow") === "on",
    });
    event.currentTarget.reset();
  }

  return (
    <form className={admin.form} onSubmit={submit} aria-label="Add a rule">
      <label>
        Rule id
        <input name="id" required maxLength={48} placeholder="small_amounts" />
      </label>
      <label>
        Description
        <input name="description" maxLength={200} placeholder="what it catches" />
      </label>
      {features.map((feature, i) => (
        <fieldset key={i} style={{ display: "contents" }}>
          <label>
            {i === 0 ? "Feature" : "and feature"}
            <select
              name={`feature${i}`}
              aria-label={`Feature ${i + 1}`}
              value={feature}
              onChange={(e) => setFeatures(features.map((f, j) => (j === i ? e.target.value : f)))}
            >
              {i > 0 && <option value="">(none)</option>}
              {FEATURES.map((f) => (
                <option key={f}>{f}</option>
              ))}
            </select>
          </label>
          {feature && (
            <>
              <label>
                Operator
                <select name={`op${i}`} aria-label={`Operator ${i + 1}`}>
                  {OPS[kindOf(feature)].map((op) => (
                    <option key={op}>{op}</option>
                  ))}
                </select>
              </label>
              <label>
                Value
                <input
                  name={`value${i}`}
                  aria-label={`Value ${i + 1}`}
                  placeholder={
                    kindOf(feature) === "boolean" ? "true" : kindOf(feature) === "text" ? "DE, FR" : "5"
                  }
                />
              </label>
            </>
          )}
        </fieldset>
      ))}
      <label>
        Effect
        <select name="effect" value={effect} onChange={(e) => setEffect(e.target.value)}>
          <option value="score">add points</option>
          <option value="flag">flag at once</option>
          <option value="approve">approve at once</option>
        </select>
      </label>
      {effect === "score" && (
        <label>
          Points
          <input name="points" type="number" min={1} max={100} defaultValue={30} />
        </label>
      )}
      <label style={{ flexDirection: "row", alignItems: "center" }}>
        <input name="shadow" type="checkbox" defaultChecked /> shadow
      </label>
      <button className={admin.button}>Add rule</button>
      {error && (
        <p className={admin.error} role="alert" style={{ width: "100%" }}>
          {error}
        </p>
      )}
    </form>
  );
}
