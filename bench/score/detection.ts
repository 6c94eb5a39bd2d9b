/**
 * Detection quality on the simulator's ground truth: labelled traffic (legitimate plus card
 * testing, account takeovers and velocity spikes) scored through the API in event-time order
 * per customer, then each decision compared with the label Nowcast never saw.
 */
import {
  FRAUD_PATTERNS,
  FraudTrafficGenerator,
  type FraudPattern,
  type LabelledTransaction,
} from "../../server/simulator/fraud-traffic";

export interface PatternQuality {
  incidents: number;
  incidentsDetected: number;
  incidentRecall: number | null;
  transactions: number;
  transactionsFlagged: number;
  transactionRecall: number | null;
}

export interface DetectionResult {
  transactions: number;
  legitimate: number;
  legitimateFlagged: number;
  falsePositiveRate: number | null;
  /** Rules behind the legitimate transactions flagged, by how often. */
  falsePositiveRules: Record<string, number>;
  patterns: Record<FraudPattern, PatternQuality>;
  seconds: number;
}

/** Traffic over the `virtualSeconds` before `now`, `perSecond` transactions each second. */
export function labelledTraffic(
  seed: number,
  customers: number,
  now: number,
  count: number,
  perSecond: number,
) {
  const generator = new FraudTrafficGenerator(seed, `det${seed}`, {
    customers,
    incidentRate: 0.002,
    travel: 0.03,
    newDevice: 0.02,
  });
  const start = now - Math.ceil(count / perSecond) * 1000 - 60_000;
  return Array.from({ length: count }, (_, i) => generator.next(start + Math.floor((i * 1000) / perSecond)));
}

const ratio = (a: number, b: number) => (b === 0 ? null : a / b);

/** Sends the traffic with `workers` loops, each owning a share of the customers (their order kept). */
export async function runDetection(
  traffic: LabelledTransaction[],
  send: (t: LabelledTransaction) => Promise<{ decision: "flagged" | "approved"; rules: string[] }>,
  workers: number,
): Promise<DetectionResult> {
  const started = Date.now();
  const queues: LabelledTransaction[][] = Array.from({ length: workers }, () => []);
  for (const t of traffic) {
    const id = String(t.event.attrs.customer_id);
    queues[Number(id.replace(/\D/g, "")) % workers]?.push(t);
  }
  const decided = new Map<string, "flagged" | "approved">();
  const falsePositiveRules: Record<string, number> = {};
  await Promise.all(
    queues.map(async (queue) => {
      for (const t of queue) {
        const answer = await send(t);
        decided.set(t.event.id, answer.decision);
        if (t.truth === null && answer.decision === "flagged")
          for (const rule of answer.rules) falsePositiveRules[rule] = (falsePositiveRules[rule] ?? 0) + 1;
      }
    }),
  );
  const patterns = {} as Record<FraudPattern, PatternQuality>;
  for (const pattern of FRAUD_PATTERNS) {
    const mine = traffic.filter((t) => t.truth === pattern);
    const incidents = new Map<string, boolean>();
    for (const t of mine)
      incidents.set(
        t.incident ?? "",
        (incidents.get(t.incident ?? "") ?? false) || decided.get(t.event.id) === "flagged",
      );
    const flagged = mine.filter((t) => decided.get(t.event.id) === "flagged").length;
    const detected = [...incidents.values()].filter(Boolean).length;
    patterns[pattern] = {
      incidents: incidents.size,
      incidentsDetected: detected,
      incidentRecall: ratio(detected, incidents.size),
      transactions: mine.length,
      transactionsFlagged: flagged,
      transactionRecall: ratio(flagged, mine.length),
    };
  }
  const legit = traffic.filter((t) => t.truth === null);
  const legitFlagged = legit.filter((t) => decided.get(t.event.id) === "flagged").length;
  return {
    transactions: traffic.length,
    legitimate: legit.length,
    legitimateFlagged: legitFlagged,
    falsePositiveRate: ratio(legitFlagged, legit.length),
    falsePositiveRules,
    patterns,
    seconds: (Date.now() - started) / 1000,
  };
}
