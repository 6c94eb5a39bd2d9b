import { performance } from "node:perf_hooks";
import { DEFAULT_RULE_SET } from "../core/fraud/default-rules";
import { markPublished, type StoredDecision } from "../db/fraud-store";
import { decideBatch, type BatchItem, type BatchResult } from "../db/fraud-decide";
import { GroupCommit } from "./group-commit";
import { PublishMarks } from "./publish-marks";
import { loadRuleSet, seedRuleSet } from "../db/fraud-rules";
import { RuleSetCache } from "./rule-cache";
import type { ScorePorts } from "./score";
import { errorFields } from "../log";
import { eventSubject } from "../nats/streams";
import type { JetStreamClient } from "@nats-io/jetstream";
import type { DbClients } from "../db/clients";
import type { Logger } from "../log";

/** What scoring needs of a web instance: its pool, JetStream client, namespace and logger. */
export interface ScoreDeps {
  db: Pick<DbClients, "pool" | "prisma">;
  js: Pick<JetStreamClient, "publish">;
  namespace: string;
  log: Logger;
  /** Decision transactions at once per instance (group commit slots); GROUP_COMMIT's by default. */
  groups?: number;
}

export function newRuleCache(deps: ScoreDeps): RuleSetCache {
  return new RuleSetCache({
    load: (version) => loadRuleSet(deps.db.prisma, version),
    seed: () => seedRuleSet(deps.db.prisma, DEFAULT_RULE_SET),
  });
}

const CACHE = Symbol.for("nowcast.web.fraud-rules");
type Holder = { [CACHE]?: RuleSetCache };

/** One rule cache per process (route handlers are bundled apart from the custom server). */
function processRuleCache(deps: ScoreDeps): RuleSetCache {
  const holder = globalThis as Holder;
  holder[CACHE] ??= newRuleCache(deps);
  return holder[CACHE];
}

/** Publishes a decided transaction to JetStream (dedup by id) and closes its outbox entry. */
export async function publishDecision(deps: ScoreDeps, decision: Pick<StoredDecision, "id" | "event">) {
  const subject = eventSubject(deps.namespace, "transaction");
  await deps.js.publish(subject, JSON.stringify(decision.event), { msgID: decision.id });
  await markPublished(deps.db.pool, [decision.id]);
}

const MARKS = Symbol.for("nowcast.web.fraud-publish-marks");
type MarksHolder = { [MARKS]?: PublishMarks };

export function newPublishMarks(deps: ScoreDeps): PublishMarks {
  return new PublishMarks(
    (ids) => markPublished(deps.db.pool, ids),
    (error) => deps.log.warn("could not mark decisions published; the outbox sweep will", errorFields(error)),
  );
}

function processPublishMarks(deps: ScoreDeps): PublishMarks {
  const holder = globalThis as MarksHolder;
  holder[MARKS] ??= newPublishMarks(deps);
  return holder[MARKS];
}

/** Writes this process's pending publish marks (on shutdown, before the pool closes). */
export async function drainPublishMarks(): Promise<void> {
  await (globalThis as MarksHolder)[MARKS]?.drain();
}

/**
 * Concurrent decisions of one instance share transactions (group commit): at most
 * `NOWCAST_SCORE_GROUPS` (default 4) at once, each of up to 64 requests. A lone request runs at
 * once; under load each transaction's fixed cost (BEGIN, locks, one feature statement, one
 * insert, COMMIT) is shared by the group. Fewer slots make bigger groups; measured figures per
 * slot count are in docs/decisions/0035.
 */
export const GROUP_COMMIT = { maxBatch: 64, maxInFlight: 4 } as const;

export type DecisionGroups = GroupCommit<BatchItem, BatchResult>;

export function newDecisionGroups(deps: Pick<ScoreDeps, "db" | "groups">): DecisionGroups {
  return new GroupCommit((items) => decideBatch(deps.db.pool, items), {
    ...GROUP_COMMIT,
    maxInFlight: deps.groups ?? GROUP_COMMIT.maxInFlight,
  });
}

const GROUPS = Symbol.for("nowcast.web.fraud-decision-groups");
type GroupsHolder = { [GROUPS]?: WeakMap<object, DecisionGroups> };

/** One group committer per pool of this process (route handlers and the custom server share it). */
function processDecisionGroups(deps: ScoreDeps): DecisionGroups {
  const holder = globalThis as GroupsHolder;
  holder[GROUPS] ??= new WeakMap();
  let groups = holder[GROUPS].get(deps.db.pool);
  if (!groups) {
    groups = newDecisionGroups(deps);
    holder[GROUPS].set(deps.db.pool, groups);
  }
  return groups;
}

/** The scoring verb's ports over one web instance's Postgres and NATS connections. */
export function scorePorts(
  services: ScoreDeps,
  rules = processRuleCache(services),
  marks = processPublishMarks(services),
  groups = processDecisionGroups(services),
): ScorePorts {
  const { log } = services;
  return {
    decideAndStore: (tx, decide) => groups.submit({ tx, decide }),
    prepareRules: () => rules.prepare(),
    ruleSet: (version, load) => rules.get(version, load),
    ingest(decision) {
      const publish = (async () => {
        try {
          const subject = eventSubject(services.namespace, "transaction");
          await services.js.publish(subject, JSON.stringify(decision.event), { msgID: decision.id });
          marks.mark(decision.id);
        } catch (error) {
          // The decision stands; the outbox sweep (or the caller's retry) ingests it later.
          log.warn("scored transaction not yet ingested; the outbox will retry", {
            id: decision.id,
            ...errorFields(error),
          });
        }
      })();
      marks.track(publish);
      return publish;
    },
    elapsed: () => performance.now(),
  };
}
