import { DAY_MS } from "./periods";

/** How long each tier is kept, in days (validated in server/config.ts). */
export interface RetentionPolicy {
  rawDays: number;
  minuteDays: number;
  hourDays: number;
  dayDays: number;
  /** Job run and reconciliation history. */
  historyDays: number;
  /** Fraud decisions (with their labels) and the customers' daily amount rollups. */
  fraudDays: number;
}

export interface RetentionCutoffs {
  raw: Date;
  minute: Date;
  hour: Date;
  day: Date;
  history: Date;
  fraud: Date;
}

/**
 * Rows strictly older than these instants may go. Cutoffs are aligned down to a UTC day so a
 * tier never loses part of a period that a coarser row was compacted from.
 */
export function retentionCutoffs(now: number, policy: RetentionPolicy): RetentionCutoffs {
  const at = (days: number) => new Date(Math.floor((now - days * DAY_MS) / DAY_MS) * DAY_MS);
  return {
    raw: at(policy.rawDays),
    minute: at(policy.minuteDays),
    hour: at(policy.hourDays),
    day: at(policy.dayDays),
    history: at(policy.historyDays),
    fraud: at(policy.fraudDays),
  };
}
