import type { Logger } from "../log";
import type { FraudTrafficGenerator, LabelledTransaction } from "./fraud-traffic";

/** Counts of what the scoring API answered, against the ground truth the simulator knows. */
export interface ScoringCounts {
  sent: number;
  retried: number;
  flaggedFraud: number;
  flaggedLegit: number;
  approvedFraud: number;
  approvedLegit: number;
  rejected: number;
  failed: number;
}

export interface ScoringOptions {
  url: string;
  apiKey: string;
  /** Transactions per second. */
  rate: number;
  /** Requests in flight at most; more are skipped rather than queued. */
  maxInFlight: number;
  /** Share of transactions sent twice (a client retry: the stored decision comes back). */
  retryShare: number;
}

/**
 * Sends simulated card transactions to the scoring API at a steady rate, as a payment service
 * would, retrying a few ids; the ground truth is counted against the decisions and logged.
 */
export function startScoring(generator: FraudTrafficGenerator, options: ScoringOptions, log: Logger) {
  const counts: ScoringCounts = {
    sent: 0,
    retried: 0,
    flaggedFraud: 0,
    flaggedLegit: 0,
    approvedFraud: 0,
    approvedLegit: 0,
    rejected: 0,
    failed: 0,
  };
  const inFlight = new Set<Promise<void>>();
  let owed = 0;
  let random = 1;

  const post = async (t: LabelledTransaction, count: boolean) => {
    const response = await fetch(options.url, {
      method: "POST",
      headers: { authorization: `Bearer ${options.apiKey}`, "content-type": "application/json" },
      body: JSON.stringify(t.event),
    });
    if (response.status === 400) counts.rejected += 1;
    else if (!response.ok) counts.failed += 1;
    else {
      const { decision } = (await response.json()) as { decision: string };
      if (!count) return;
      const key = `${decision === "flagged" ? "flagged" : "approved"}${t.truth ? "Fraud" : "Legit"}` as const;
      counts[key] += 1;
    }
  };
  const send = (t: LabelledTransaction, count: boolean) => {
    const request = post(t, count)
      .catch(() => void (counts.failed += 1))
      .finally(() => inFlight.delete(request));
    inFlight.add(request);
  };

  const tickMs = 100;
  const timer = setInterval(() => {
    owed += (options.rate * tickMs) / 1000;
    for (; owed >= 1 && inFlight.size < options.maxInFlight; owed -= 1) {
      const t = generator.next(Date.now());
      counts.sent += 1;
      send(t, true);
      // A deterministic share of retries (every 1/retryShare-th transaction).
      random = (random + 1) % Math.max(1, Math.round(1 / options.retryShare));
      if (random === 0) {
        counts.retried += 1;
        send(t, false);
      }
    }
  }, tickMs);
  const report = setInterval(() => log.info("scored", { ...counts }), 10_000);
  return {
    counts,
    async stop() {
      clearInterval(timer);
      clearInterval(report);
      await Promise.allSettled(inFlight);
    },
  };
}
