import { oldestAcceptedTime } from "../core/counted-window";
import type { ScoreDeps } from "../fraud/ports";
import type { ScoreContext } from "../fraud/score";
import type { WebServices } from "./services";

export { newRuleCache, publishDecision, scorePorts, type ScoreDeps } from "../fraud/ports";

export const scoreDeps = (services: WebServices): ScoreDeps => ({
  db: services.db,
  js: services.js,
  namespace: services.config.NOWCAST_NAMESPACE,
  log: services.log,
  groups: services.config.NOWCAST_SCORE_GROUPS,
});

export function scoreContext(services: WebServices, now: number, startedAt: number): ScoreContext {
  return { now, startedAt, oldestAcceptedTs: oldestAcceptedTime(now, services.config.RECONCILE_WINDOW_DAYS) };
}
