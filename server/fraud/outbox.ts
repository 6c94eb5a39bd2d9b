import { unpublishedDecisions } from "../db/fraud-store";
import { publishDecision, type ScoreDeps } from "./ports";

/**
 * Publishes decided transactions whose ingest was cut short (JetStream down, a crash between
 * commit and publish), decided before `olderThan`. JetStream's dedup and the raw insert's
 * ON CONFLICT make a second publish of the same id harmless, so any instance may sweep.
 * Returns how many it published.
 */
export async function sweepOutbox(deps: ScoreDeps, olderThan: Date, limit: number): Promise<number> {
  const pending = await unpublishedDecisions(deps.db.pool, olderThan, limit);
  let published = 0;
  for (const decision of pending) {
    await publishDecision(deps, decision);
    published += 1;
  }
  return published;
}
