import { natsNames } from "../config";
import type { IngestContext, IngestPorts } from "../ingest/ingest";
import { oldestAcceptedTime } from "../core/counted-window";
import { lookupIngest } from "../db/ingest-lookup";
import { errorFields } from "../log";
import { eventSubject } from "../nats/streams";
import type { WebServices } from "./services";

/** Longest wait for Postgres's answer before ingest goes on without it (it must ride out an outage). */
const LOOKUP_TIMEOUT_MS = 2_000;

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** The ingest verb's ports over the web role's NATS and Postgres connections. */
export function ingestPorts(services: WebServices): IngestPorts {
  const { js, db, config, log } = services;
  const names = natsNames(config.NOWCAST_NAMESPACE);
  return {
    async publish(type, id, payload) {
      const ack = await js.publish(eventSubject(config.NOWCAST_NAMESPACE, type), payload, { msgID: id });
      return { duplicate: ack.duplicate };
    },
    async publishRejections(rejections) {
      await Promise.all(rejections.map((r) => js.publish(names.httpRejectionSubject, JSON.stringify(r))));
    },
    async lookup(ids) {
      try {
        const view = await withTimeout(lookupIngest(db.pool, ids, names.durable), LOOKUP_TIMEOUT_MS);
        return { stored: view.stored, clock: { maxEventTime: view.maxEventTime } };
      } catch (error) {
        log.warn(
          "ingest could not ask Postgres for stored ids; relying on JetStream's window",
          errorFields(error),
        );
        return null;
      }
    },
  };
}

/** The deployment's rules for one request at `now`. */
export function ingestContext(services: WebServices, now: number): IngestContext {
  const { config } = services;
  return {
    now,
    oldestAcceptedTs: oldestAcceptedTime(now, config.RECONCILE_WINDOW_DAYS),
    time: {
      outOfOrdernessMs: config.NOWCAST_OUT_OF_ORDERNESS_MS,
      allowedLatenessMs: config.NOWCAST_ALLOWED_LATENESS_MS,
    },
  };
}
