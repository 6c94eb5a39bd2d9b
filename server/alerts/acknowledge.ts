import type pg from "pg";
import type { AcknowledgeRequest, AlertState } from "../contract";
import { acknowledge } from "../db/alert-instances";

/** A viewer acknowledges an instance with a note: repeats stop until its state changes. */
export function acknowledgeAlert(
  pool: pg.Pool,
  request: AcknowledgeRequest,
  by: string,
  now: number,
): Promise<AlertState | null> {
  return acknowledge(pool, { ...request, by, at: now });
}
