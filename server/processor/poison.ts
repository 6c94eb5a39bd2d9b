import type { Clock } from "../core/engine";
import type { DeadLetterRecord } from "../core/batch";
import { storageFailure, type StorageFailure } from "../db/failure";
import { letterBase } from "./decode";
import { commitPlanned, enrichItems, planCommit, type PipelinePorts, type PreparedItem } from "./pipeline";

/**
 * Poison messages (docs/decisions/0018): a message whose content Postgres refuses the same way
 * on every attempt must not wedge the stream. A batch whose commit is `rejected` is split in
 * halves until the messages that fail alone are found; each is dead-lettered with the
 * database's error and terminated in JetStream, everything else commits. Transient failures
 * are thrown to the caller, which retries the whole batch with back-off.
 */

/** Called once per message that was dead-lettered as unstorable. */
export type OnRejected = (item: PreparedItem, failure: StorageFailure) => void;

// Postgres text holds neither NUL nor unpaired surrogates; the letter's own fields must store.
// eslint-disable-next-line no-control-regex -- NUL is exactly what has to be found
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const storable = (text: string) =>
  text.replace(UNSTORABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);

/** The dead letter of a message the database refused; its payload is the message as received. */
export function storageRejectedLetter(
  item: PreparedItem,
  stream: string,
  failure: Extract<StorageFailure, { kind: "rejected" }>,
): DeadLetterRecord {
  const base = letterBase(item.message, stream);
  const eventId = item.kind === "event" ? item.event.id : item.letter.eventId;
  return {
    ...base,
    subject: storable(base.subject),
    ...(eventId === undefined ? {} : { eventId: storable(eventId) }),
    reasons: [
      {
        code: "storage_rejected",
        message: storable(
          `PostgreSQL refused to store this event (SQLSTATE ${failure.sqlstate}): ${failure.message}`,
        ),
        path: "",
      },
    ],
  };
}

function rejectedItem(item: PreparedItem, stream: string, failure: StorageFailure): PreparedItem {
  if (failure.kind !== "rejected") throw new Error("only a rejected item is dead-lettered");
  return {
    message: item.message,
    kind: "dead",
    letter: storageRejectedLetter(item, stream, failure),
    terminate: true,
  };
}

/**
 * Commits `items` from `clock`, isolating the messages the database rejects; returns the clock
 * after the last committed part. Each part is its own transaction with its own checkpoint, so
 * exactly-once holds across the split (a crash between parts is absorbed by the raw insert's
 * ON CONFLICT on redelivery). Each part is classified from the clock the parts before it left,
 * so a rejected event's time — even the batch's maximum — never moves the clock.
 */
export async function commitIsolating(
  ports: PipelinePorts,
  clock: Clock,
  items: readonly PreparedItem[],
  receivedAt: number,
  onRejected: OnRejected = () => undefined,
): Promise<Clock> {
  if (items.length === 0) return clock;
  const planned = planCommit(ports, clock, items, receivedAt, ports.now());
  try {
    return (await commitPlanned(ports, planned)).clock;
  } catch (error) {
    const failure = storageFailure(error);
    if (failure.kind === "transient") throw error;
    const [only] = items;
    if (items.length === 1 && only) {
      // Even a dead letter alone may have failed (its event id): store the escaped letter.
      const letter = rejectedItem(only, ports.stream, failure);
      const committed = await commitPlanned(
        ports,
        planCommit(ports, clock, [letter], receivedAt, ports.now()),
      );
      onRejected(only, failure);
      return committed.clock;
    }
    const half = Math.ceil(items.length / 2);
    const left = await commitIsolating(ports, clock, items.slice(0, half), receivedAt, onRejected);
    return commitIsolating(ports, left, items.slice(half), receivedAt, onRejected);
  }
}

/**
 * Enrichment with the same rule: a lookup the database rejects (e.g. a NUL in a customer id)
 * is retried event by event, and the events it fails for become `storage_rejected` dead letters.
 */
export async function enrichIsolating(
  ports: PipelinePorts,
  items: PreparedItem[],
  onRejected: OnRejected = () => undefined,
): Promise<PreparedItem[]> {
  try {
    return await enrichItems(ports, items);
  } catch (error) {
    const failure = storageFailure(error);
    if (failure.kind === "transient") throw error;
    const [only] = items;
    if (items.length === 1 && only) {
      onRejected(only, failure);
      return [rejectedItem(only, ports.stream, failure)];
    }
    const results: PreparedItem[] = [];
    for (const item of items) results.push(...(await enrichIsolating(ports, [item], onRejected)));
    return results;
  }
}
