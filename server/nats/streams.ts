import { connect, nanos, type NatsConnection } from "@nats-io/transport-node";
import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  jetstreamManager,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  type JetStreamManager,
} from "@nats-io/jetstream";
import { natsNames } from "../config";

export async function connectNats(url: string, name: string): Promise<NatsConnection> {
  return connect({
    servers: url,
    name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    timeout: 5_000,
  });
}

export interface StreamSettings {
  namespace: string;
  dedupWindowSeconds: number;
  /** How long events stay in the stream; Postgres is the system of record after commit. */
  maxAgeHours?: number;
}

/** A JetStream API "not found" (stream or consumer does not exist). */
export function isNotFound(error: unknown): boolean {
  return error instanceof JetStreamApiError && error.status === 404;
}

/** Creates the events stream, or brings its settings up to date. Idempotent. */
export async function ensureEventStream(jsm: JetStreamManager, settings: StreamSettings): Promise<void> {
  const names = natsNames(settings.namespace);
  const config = {
    name: names.stream,
    // Rejected HTTP inputs travel in the same stream, so the processor stores them in the same
    // transactions as everything else (docs/decisions/0014).
    subjects: [names.eventSubjects, names.rejectedSubjects],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    duplicate_window: nanos(settings.dedupWindowSeconds * 1000),
    max_age: nanos((settings.maxAgeHours ?? 72) * 3_600_000),
  };
  try {
    await jsm.streams.info(names.stream);
    await jsm.streams.update(names.stream, config);
  } catch (error) {
    if (!isNotFound(error)) throw error;
    await jsm.streams.add(config);
  }
}

/** The processor's durable pull consumer. Ack after commit; redelivery after `ackWaitMs`. */
export async function ensureProcessorConsumer(
  jsm: JetStreamManager,
  namespace: string,
  options: { ackWaitMs?: number; maxAckPending?: number } = {},
): Promise<string> {
  const names = natsNames(namespace);
  const config = {
    durable_name: names.durable,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: nanos(options.ackWaitMs ?? 30_000),
    max_ack_pending: options.maxAckPending ?? 20_000,
    max_deliver: -1,
  };
  try {
    await jsm.consumers.info(names.stream, names.durable);
    await jsm.consumers.update(names.stream, names.durable, {
      ack_wait: config.ack_wait,
      max_ack_pending: config.max_ack_pending,
    });
  } catch (error) {
    if (!isNotFound(error)) throw error;
    await jsm.consumers.add(names.stream, config);
  }
  return names.durable;
}

export async function setupEventStream(
  nc: NatsConnection,
  settings: StreamSettings,
): Promise<JetStreamManager> {
  const jsm = await jetstreamManager(nc);
  await ensureEventStream(jsm, settings);
  return jsm;
}

/** Subject an event of `type` is published on. */
export function eventSubject(namespace: string, type: string): string {
  return `${natsNames(namespace).eventSubjectPrefix}.${type}`;
}

/** Type named by an event subject, or undefined when the subject has no type token. */
export function typeFromSubject(namespace: string, subject: string): string | undefined {
  const prefix = `${natsNames(namespace).eventSubjectPrefix}.`;
  return subject.startsWith(prefix) ? subject.slice(prefix.length) : undefined;
}
