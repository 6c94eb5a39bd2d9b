import { createServer } from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import next from "next";
import { Server } from "socket.io";
import { authSecret, CLIENT_IP_HEADER } from "../auth/auth";
import { clientIp, trustedProxies } from "../auth/client-ip";
import { getAuth } from "../auth/principal";
import { authenticateHandshake } from "../auth/socket";
import { loadConfig } from "../config";
import { createLogger, errorFields } from "../log";
import { startLiveGateway, type LiveServer } from "./live-gateway";
import { getWebServices, liveSubject } from "./services";
import { disconnectRevokedSockets } from "./session-revocation";
import { requireSignedIn } from "./socket-auth";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Composition root of the `web` role: Next.js and Socket.IO on one port. */
async function main() {
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
    void handle(req, res);
  });
  const io: LiveServer = new Server(server, { path: "/socket.io", serveClient: false });
  // The handshake carries the session cookie: anonymous or disabled users never connect.
  requireSignedIn(io, authenticateHandshake, log);
  const revocations = disconnectRevokedSockets(services.nc, config, io);
  const gateway = startLiveGateway({
    io,
    nc: services.nc,
    pool: services.db.pool,
    liveSubject: liveSubject(config),
    log,
  });
  await new Promise<void>((resolve) => server.listen(config.PORT, config.HOST, resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.PORT;
  log.info("listening", { url: `http://localhost:${port}`, mode: dev ? "development" : "production" });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info("stopping", { signal });
    gateway.stop();
    revocations.stop();
    io.close();
    server.close();
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
