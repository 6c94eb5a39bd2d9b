import type pg from "pg";
import { validatePayload, type Reason, type ValidationOptions } from "../contract";

/** Which dead letters to look at; all filters are optional and combine with AND. */
export interface DeadLetterSelection {
  ids?: number[];
  reason?: string;
  source?: "http" | "nats";
  since?: Date;
  limit: number;
  /** Include letters that were already re-driven. */
  includeRedriven?: boolean;
}

export interface DeadLetterRow {
  id: number;
  receivedAt: Date;
  source: string;
  subject: string | null;
  eventId: string | null;
  reasons: Reason[];
  /** Readable rendering of the payload. */
  payload: string;
  /** The exact bytes received; null on rows stored before they were kept (then `payload` is them). */
  payloadBytes: Buffer | null;
  /** Size as received; larger than `payloadBytes` when an oversize payload was cut. */
  payloadSize: number | null;
  redrivenAt: Date | null;
}

export interface RedriveOutcome {
  redriven: { id: number; eventId: string; duplicate: boolean }[];
  stillInvalid: { id: number; reasons: Reason[] }[];
}

const SELECT = `
SELECT id, received_at AS "receivedAt", source, subject, event_id AS "eventId", reasons, payload,
       payload_bytes AS "payloadBytes", payload_size AS "payloadSize", redriven_at AS "redrivenAt"
FROM dead_letters
WHERE ($1::bigint[] IS NULL OR id = ANY($1::bigint[]))
  AND ($2::text IS NULL OR reasons @> jsonb_build_array(jsonb_build_object('code', $2::text)))
  AND ($3::text IS NULL OR source = $3)
  AND ($4::timestamptz IS NULL OR received_at >= $4)
  AND ($5::boolean OR redriven_at IS NULL)
ORDER BY id
LIMIT $6`;

export async function selectDeadLetters(
  pool: pg.Pool,
  selection: DeadLetterSelection,
): Promise<DeadLetterRow[]> {
  const result = await pool.query<DeadLetterRow>(SELECT, [
    selection.ids ?? null,
    selection.reason ?? null,
    selection.source ?? null,
    selection.since ?? null,
    selection.includeRedriven ?? false,
    selection.limit,
  ]);
  return result.rows;
}

/** Ports of re-driving: publishing to the stream, and marking a letter done. */
export interface RedrivePorts {
  /** Publishes `payload` byte for byte to the type's subject with Nats-Msg-Id = `id`. */
  publish(type: string, id: string, payload: Uint8Array): Promise<{ duplicate: boolean }>;
  markRedriven(id: number): Promise<void>;
  now(): number;
  /** The contract's deployment rules (e.g. the oldest counted time) as the processor applies them. */
  rules?(now: number): ValidationOptions;
}

/** The exact bytes of a letter: `payload_bytes`, or for older rows the text that was kept. */
export function letterBytes(letter: Pick<DeadLetterRow, "payload" | "payloadBytes">): Uint8Array {
  return letter.payloadBytes ? new Uint8Array(letter.payloadBytes) : new TextEncoder().encode(letter.payload);
}

/**
 * Re-validates each selected letter's exact bytes against the current contract and publishes the
 * ones that now pass, with their own id as Nats-Msg-Id, so the normal pipeline stores them
 * exactly once.
 * Letters that still fail are left in place and reported with today's reasons.
 */
export async function redrive(ports: RedrivePorts, letters: DeadLetterRow[]): Promise<RedriveOutcome> {
  const outcome: RedriveOutcome = { redriven: [], stillInvalid: [] };
  for (const letter of letters) {
    const bytes = letterBytes(letter);
    const now = ports.now();
    const validation = validatePayload(bytes, now, ports.rules?.(now));
    if (!validation.ok) {
      outcome.stillInvalid.push({ id: letter.id, reasons: validation.reasons });
      continue;
    }
    // The very bytes that were rejected, so the processor validates exactly what was sent.
    const ack = await ports.publish(validation.event.type, validation.event.id, bytes);
    await ports.markRedriven(letter.id);
    outcome.redriven.push({ id: letter.id, eventId: validation.event.id, duplicate: ack.duplicate });
  }
  return outcome;
}

export async function markRedriven(pool: pg.Pool, id: number): Promise<void> {
  await pool.query("UPDATE dead_letters SET redriven_at = now() WHERE id = $1", [id]);
}
