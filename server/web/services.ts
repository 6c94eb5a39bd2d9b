import { jetstream, type JetStreamClient, type JetStreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { ApiKeyCache } from "../auth/key-cache";
import { loadConfig, natsNames, type Config } from "../config";
import { createDbClients, type DbClients } from "../db/clients";
import { createLogger, type Logger } from "../log";
import { trackConnection, type ConnectionStatus } from "../nats/connection-status";
import { connectNats, setupEventStream } from "../nats/streams";
import { onRevocation } from "./session-revocation";

/** Connections of the web role, shared by the custom server and the route handlers. */
export interface WebServices {
  config: Config;
  db: DbClients;
  nc: NatsConnection;
  /** Follows the connection's status events: down while disconnected or reconnecting. */
  natsStatus: ConnectionStatus;
  js: JetStreamClient;
  jsm: JetStreamManager;
  log: Logger;
  /** API keys verified by this process; revoked ones are evicted on every instance's announcement. */
  apiKeys: ApiKeyCache;
  close(): Promise<void>;
}

// Next bundles route handlers separately from the custom server, so module-level singletons
// would be duplicated; one instance per process lives on globalThis instead.
const KEY = Symbol.for("nowcast.web.services");
type Holder = { [KEY]?: Promise<WebServices> };

async function create(): Promise<WebServices> {
  const config = loadConfig();
  const log = createLogger("web", config.LOG_LEVEL);
  const db = createDbClients(config.DATABASE_URL, { max: 10, appName: "nowcast-web" });
  const nc = await connectNats(config.NATS_URL, "nowcast-web");
  const natsStatus = trackConnection(nc);
  const jsm = await setupEventStream(nc, {
    namespace: config.NOWCAST_NAMESPACE,
    dedupWindowSeconds: config.NOWCAST_DEDUP_WINDOW_S,
  });
  const apiKeys = new ApiKeyCache({
    freshMs: config.AUTH_KEY_CACHE_TTL_MS,
    graceMs: Math.max(config.AUTH_KEY_CACHE_TTL_MS, config.AUTH_KEY_OUTAGE_GRACE_MS),
  });
  const revocations = onRevocation(nc, config, (revocation) => {
    if ("apiKeyId" in revocation) apiKeys.revoke(revocation.apiKeyId);
  });
  return {
    config,
    db,
    nc,
    natsStatus,
    js: jetstream(nc),
    jsm,
    log,
    apiKeys,
    async close() {
      revocations.stop();
      await nc.drain().catch(() => undefined);
      await db.close();
    },
  };
}

export function getWebServices(): Promise<WebServices> {
  const holder = globalThis as Holder;
  if (!holder[KEY]) {
    const pending = create();
    holder[KEY] = pending;
    // A failed start (NATS down) must not be cached forever: the next request tries again.
    pending.catch(() => {
      if (holder[KEY] === pending) delete holder[KEY];
    });
  }
  return holder[KEY];
}

export function liveSubject(config: Config): string {
  return `${natsNames(config.NOWCAST_NAMESPACE).liveSubjectPrefix}.events`;
}
