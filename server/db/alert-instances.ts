import { randomUUID } from "node:crypto";
import type pg from "pg";
import type { AlertState, WebhookPayload } from "../contract";
import type { InstanceState, Transition } from "../core/alerting/evaluate";
import { inTransaction } from "./clients";

/** An instance as the evaluator holds it: its memory plus the row's version (`seq`). */
export interface StoredInstance {
  ruleId: string;
  group: string;
  seq: number;
  memory: InstanceState;
  acknowledged: boolean;
  lastNotifiedAt: number | null;
}

interface InstanceRow {
  rule_id: string;
  group_key: string;
  seq: number;
  memory: InstanceState;
  acknowledged_at: Date | null;
  last_notified_at: Date | null;
}

export async function loadInstances(pool: pg.Pool, ruleIds: readonly string[]): Promise<StoredInstance[]> {
  if (ruleIds.length === 0) return [];
  const { rows } = await pool.query<InstanceRow>(
    `SELECT rule_id, group_key, seq, memory, acknowledged_at, last_notified_at
     FROM alert_instances WHERE rule_id = ANY($1::text[])`,
    [ruleIds],
  );
  return rows.map((r) => ({
    ruleId: r.rule_id,
    group: r.group_key,
    seq: r.seq,
    memory: r.memory,
    acknowledged: r.acknowledged_at !== null,
    lastNotifiedAt: r.last_notified_at?.getTime() ?? null,
  }));
}

/** One event to store with an instance change: a transition, or a repeat while firing. */
export interface EventToStore {
  kind: "transition" | "repeat";
  transition: Transition;
  silenced: boolean;
  /** Channels to notify; each gets one outbox row (alert_deliveries). */
  channelIds: readonly string[];
  payload: (eventId: string) => WebhookPayload;
}

export interface InstanceWrite {
  ruleId: string;
  ruleVersion: number;
  group: string;
  /** The seq this evaluator read (0 for a new instance); written only if still the stored one. */
  expectedSeq: number;
  memory: InstanceState;
  event: EventToStore | null;
}

const UPSERT = `
INSERT INTO alert_instances AS a (rule_id, group_key, seq, state, since, value, memory, rule_version, last_notified_at)
VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9)
ON CONFLICT (rule_id, group_key) DO UPDATE SET
  seq = EXCLUDED.seq, state = EXCLUDED.state, since = EXCLUDED.since, value = EXCLUDED.value,
  memory = EXCLUDED.memory, rule_version = EXCLUDED.rule_version, updated_at = now(),
  acknowledged_by = CASE WHEN $10 THEN NULL ELSE a.acknowledged_by END,
  acknowledged_note = CASE WHEN $10 THEN NULL ELSE a.acknowledged_note END,
  acknowledged_at = CASE WHEN $10 THEN NULL ELSE a.acknowledged_at END,
  last_notified_at = COALESCE(EXCLUDED.last_notified_at, a.last_notified_at)
WHERE a.seq = $11
  -- A repeat must not go out once someone acknowledged (the evaluator's copy may not know yet).
  AND NOT ($12 AND a.acknowledged_at IS NOT NULL)`;

/**
 * Writes one instance with its event and deliveries in one transaction, by compare-and-set on
 * `seq`: if another evaluator (a lease handover) wrote it first, nothing is written and `ok` is
 * false, so a transition is stored once whoever evaluates. A transition clears the
 * acknowledgement. pg_notify wakes the scheduler's sender at commit.
 */
export async function writeInstance(
  pool: pg.Pool,
  w: InstanceWrite,
): Promise<{ ok: boolean; eventId: string | null }> {
  return inTransaction(pool, async (tx) => {
    const seq = w.event ? w.expectedSeq + 1 : w.expectedSeq;
    const m = w.memory;
    const notified = w.event !== null && w.event.channelIds.length > 0 && !w.event.silenced;
    const changed = await tx.query(UPSERT, [
      w.ruleId,
      w.group,
      seq,
      m.state,
      new Date(m.since),
      m.value,
      JSON.stringify(m),
      w.ruleVersion,
      notified && w.event ? new Date(w.event.transition.at) : null,
      w.event?.kind === "transition",
      w.expectedSeq,
      w.event?.kind === "repeat",
    ]);
    if (changed.rowCount !== 1) return { ok: false, eventId: null };
    if (!w.event) return { ok: true, eventId: null };
    return { ok: true, eventId: await insertEvent(tx, w, seq) };
  });
}

/**
 * Memory-only changes (N of M positions, values) of many instances in one statement, with the
 * same compare-and-set; returns the keys that were written (the rest moved on elsewhere).
 */
export async function flushMemories(
  pool: pg.Pool,
  rows: ReadonlyArray<{
    ruleId: string;
    ruleVersion: number;
    group: string;
    seq: number;
    memory: InstanceState;
  }>,
): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const { rows: written } = await pool.query<{ rule_id: string; group_key: string }>(
    `INSERT INTO alert_instances AS a (rule_id, group_key, seq, state, since, value, memory, rule_version)
     SELECT u.rule_id, u.group_key, u.seq, u.state, u.since, u.value, u.memory, u.rule_version
     FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::timestamptz[], $6::float8[], $7::jsonb[], $8::int[])
       AS u(rule_id, group_key, seq, state, since, value, memory, rule_version)
     JOIN alert_rules r ON r.id = u.rule_id
     ON CONFLICT (rule_id, group_key) DO UPDATE SET value = EXCLUDED.value, memory = EXCLUDED.memory, updated_at = now()
     WHERE a.seq = EXCLUDED.seq
     RETURNING a.rule_id, a.group_key`,
    [
      rows.map((r) => r.ruleId),
      rows.map((r) => r.group),
      rows.map((r) => r.seq),
      rows.map((r) => r.memory.state),
      rows.map((r) => new Date(r.memory.since)),
      rows.map((r) => r.memory.value),
      rows.map((r) => JSON.stringify(r.memory)),
      rows.map((r) => r.ruleVersion),
    ],
  );
  return new Set(written.map((w) => `${w.rule_id}\u0000${w.group_key}`));
}

async function insertEvent(tx: pg.PoolClient, w: InstanceWrite, seq: number): Promise<string> {
  const event = w.event;
  if (!event) throw new Error("no event");
  const t = event.transition;
  const id = randomUUID();
  await tx.query(
    `INSERT INTO alert_events (id, rule_id, group_key, seq, rule_version, at, from_state, to_state, value, threshold, buckets, reason, kind, silenced)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb, $12, $13, $14)`,
    [
      id,
      w.ruleId,
      w.group,
      seq,
      w.ruleVersion,
      new Date(t.at),
      t.from,
      t.to,
      t.value,
      t.threshold,
      JSON.stringify(t.buckets),
      t.reason,
      event.kind,
      event.silenced,
    ],
  );
  if (event.silenced || event.channelIds.length === 0) return id;
  const payload = JSON.stringify(event.payload(id));
  await tx.query(
    `INSERT INTO alert_deliveries (id, channel_id, event_id, payload)
     SELECT gen_random_uuid()::text, c.id, $1, $2::jsonb FROM alert_channels c
     WHERE c.id = ANY($3::text[]) AND c.enabled`,
    [id, payload, event.channelIds],
  );
  await tx.query(`SELECT pg_notify('alert_deliveries', $1)`, [id]);
  return id;
}

/** Acknowledges an instance (mutes repeats until its state changes) and records who and why. */
export async function acknowledge(
  pool: pg.Pool,
  ack: { ruleId: string; group: string; by: string; note: string; at: number },
): Promise<AlertState | null> {
  return inTransaction(pool, async (tx) => {
    const { rows } = await tx.query<{ state: AlertState; seq: number; rule_version: number }>(
      `UPDATE alert_instances SET acknowledged_by = $3, acknowledged_note = $4, acknowledged_at = $5
       WHERE rule_id = $1 AND group_key = $2 RETURNING state, seq, rule_version`,
      [ack.ruleId, ack.group, ack.by, ack.note, new Date(ack.at)],
    );
    const row = rows[0];
    if (!row) return null;
    // Several acknowledgements of one state are all kept (the unique seq index excludes them).
    await tx.query(
      `INSERT INTO alert_events (id, rule_id, group_key, seq, rule_version, at, from_state, to_state, reason, kind)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8, 'acknowledge')`,
      [
        randomUUID(),
        ack.ruleId,
        ack.group,
        row.seq,
        row.rule_version,
        new Date(ack.at),
        row.state,
        `${ack.by}: ${ack.note}`,
      ],
    );
    return row.state;
  });
}
