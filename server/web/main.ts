import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import next from "next";
import { Server } from "socket.io";
import { authSecret, CLIENT_IP_HEADER } from "../auth/auth";
import { clientIp, trustedProxies } from "../auth/client-ip";
import { getAuth } from "./principal";
import { authenticateSocket } from "./socket-auth";
import { loadConfig, natsNames } from "../config";
import { assertSupportedRuntime } from "../runtime";
import { createLogger, errorFields } from "../log";
import { AlertNotice, type MetricDefinition } from "../contract";
import { readLiveSeed } from "../db/live-seed";
import { loadDefinitions } from "../db/metric-definitions";
import { findAppDir } from "./app-dir";
import { startLiveFeed } from "./live-feed";
import { startLiveGateway, type LiveServer } from "./live-gateway";
import { startPipelineSampler } from "./pipeline-sampler";
import { getWebServices, liveSubject } from "./services";
import { sweepOutbox } from "../fraud/outbox";
import { drainPublishMarks } from "../fraud/ports";
import { scoreDeps } from "./fraud-ports";
import { sendWebResponse, toWebRequest } from "./node-http";
import { SCORE_PATH, scoreRoute } from "./score-routes";
import { performance } from "node:perf_hooks";

/** A decision not in JetStream this long after it was made is published by the sweep. */
const OUTBOX_GRACE_MS = 5_000;
import { malformedPathAnswer, malformedPathSegment } from "./params";
import { startSessionRecheck } from "./session-recheck";
import { disconnectRevokedSockets } from "./session-revocation";

const pathOf = (url: string | undefined) => (url ?? "/").split("?", 1)[0];

// server/web/ in development, dist/server/web/ when compiled: the app dir is found, not counted.
const ROOT = findAppDir(path.dirname(fileURLToPath(import.meta.url)));

/** Composition root of the `web` role: Next.js and Socket.IO on one port. */
async function main() {
  assertSupportedRuntime();
  const config = loadConfig();
  const log = createLogger("web", config.LOG_LEVEL);
  // Refuse to start in production without a secret, before anything listens.
  authSecret(config);
  const dev = config.NODE_ENV !== "production";
  const app = next({ dev, dir: ROOT, hostname: config.HOST, port: config.PORT });
  await app.prepare();
  const handle = app.getRequestHandler();
  const services = await getWebServices();
  await getAuth();
  const trusted = trustedProxies(config.NOWCAST_TRUSTED_PROXIES);
  const hsts = config.NOWCAST_PUBLIC_URL?.startsWith("https:") ?? false;

  const server = createServer((req, res) => {
    // The only address header the app believes: set here from the socket, never from outside.
    const forwarded = req.headers["x-forwarded-for"];
    req.headers[CLIENT_IP_HEADER] = clientIp(
      req.socket.remoteAddress,
      Array.isArray(forwarded) ? forwarded.join(",") : forwarded,
      trusted,
    );
    if (hsts) res.setHeader("strict-transport-security", "max-age=31536000; includeSubDomains");
    const badSegment = malformedPathSegment(req.url ?? "/");
    if (badSegment !== undefined) {
      const answer = malformedPathAnswer(badSegment);
      res.writeHead(answer.status, { "content-type": "application/json", "cache-control": "no-store" });
      res.end(answer.body);
      return;
    }
    if (req.method === "POST" && pathOf(req.url) === SCORE_PATH) {
      void serveScore(req, res);
      return;
    }
    void handle(req, res);
  });
  const base = config.NOWCAST_PUBLIC_URL ?? `http://${config.HOST}:${config.PORT}`;
  // The hot path of fraud scoring, answered here rather than through Next's router (the same
  // scoreRoute as app/api/transactions/score): no routing, no response compression.
  const scoring = new Set<Promise<void>>();
  function serveScore(req: IncomingMessage, res: ServerResponse) {
    const request = answerScore(req, res).finally(() => scoring.delete(request));
    scoring.add(request);
    return request;
  }
  async function answerScore(req: IncomingMessage, res: ServerResponse) {
    const startedAt = performance.now();
    try {
      await sendWebResponse(res, await scoreRoute(toWebRequest(req, base), startedAt));
    } catch (error) {
      log.error("scoring request failed", errorFields(error));
      if (!res.headersSent)
        res.writeHead(500, { "content-type": "application/json", "cache-control": "no-store" });
      res.end(
        JSON.stringify({
          error: { code: "internal", message: "scoring failed; retry (ids make retries safe)" },
        }),
      );
    }
  }
  const io: LiveServer = new Server(server, { path: "/socket.io", serveClient: false });
  const pool = services.db.pool;
  let definitions: readonly MetricDefinition[] = (await loadDefinitions(pool)).definitions;
  const refresher = setInterval(() => {
    loadDefinitions(pool).then(
      (loaded) => (definitions = loaded.definitions),
      (error: unknown) => log.warn("could not reload metric definitions", errorFields(error)),
    );
  }, config.METRIC_DEFINITIONS_REFRESH_MS);
  // Decided transactions whose ingest was cut short (JetStream down, a crash) are published
  // again; every instance may sweep, dedup by id makes it harmless (docs/decisions/0033).
  const outbox = setInterval(() => {
    sweepOutbox(scoreDeps(services), new Date(Date.now() - OUTBOX_GRACE_MS), 500).catch((error: unknown) =>
      log.warn("fraud outbox sweep failed", errorFields(error)),
    );
  }, OUTBOX_GRACE_MS);
  const feed = startLiveFeed({
    nc: services.nc,
    liveSubject: liveSubject(config),
    readSeed: async () =>
      readLiveSeed(pool, (await loadDefinitions(pool)).definitions, config.NOWCAST_OUT_OF_ORDERNESS_MS),
    log,
  });
  const pipeline = startPipelineSampler({
    nc: services.nc,
    natsStatus: services.natsStatus,
    pool,
    namespace: config.NOWCAST_NAMESPACE,
    outOfOrdernessMs: config.NOWCAST_OUT_OF_ORDERNESS_MS,
    stallAfterMs: config.NOWCAST_STALL_AFTER_MS,
    log,
  });
  const gateway = startLiveGateway({
    io,
    feed,
    definitions: () => definitions,
    authenticate: authenticateSocket,
    pipeline,
    log,
    publicUrl: config.NOWCAST_PUBLIC_URL,
  });
  // Alert transitions from the alerter reach every signed-in socket (every socket is signed in).
  const alertNotices = services.nc.subscribe(natsNames(config.NOWCAST_NAMESPACE).alertSubject, {
    callback: (error, message) => {
      if (error) return;
      let body: unknown;
      try {
        body = message.json();
      } catch {
        body = undefined;
      }
      const notice = AlertNotice.safeParse(body);
      if (notice.success) io.emit("alert:transition", notice.data);
      else log.warn("ignored a malformed alert notice");
    },
  });
  // A user whose access changes (disabled, role, password) has its sockets cut on every instance.
  const revocations = disconnectRevokedSockets(services.nc, config, io);
  // …and, whatever announcements were lost, sessions that ended are found within this interval.
  const recheck = startSessionRecheck({ io, pool, intervalMs: config.AUTH_SOCKET_RECHECK_MS, log });
  await new Promise<void>((resolve) => server.listen(config.PORT, config.HOST, resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.PORT;
  log.info("listening", { url: `http://localhost:${port}`, mode: dev ? "development" : "production" });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info("stopping", { signal });
    clearInterval(refresher);
    clearInterval(outbox);
    // No new requests; the decisions under way are answered, then their publishes finish
    // (a decision cut off here is published by the outbox sweep of the next instance up).
    server.close();
    await Promise.race([Promise.allSettled([...scoring]), new Promise((r) => setTimeout(r, 5_000))]);
    await drainPublishMarks();
    gateway.stop();
    revocations.stop();
    alertNotices.unsubscribe();
    recheck.stop();
    pipeline.stop();
    feed.stop();
    io.close();
    await services.close();
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}

main().catch((error: unknown) => {
  createLogger("web").error("failed to start", errorFields(error));
  process.exit(1);
});
