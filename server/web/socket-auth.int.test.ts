// The Socket.IO handshake against real sessions: a real server on port 0, real clients.
import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Server } from "socket.io";
import { io as connect, type Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "../auth/api-keys";
import type { ClientToServerEvents } from "../contract";
import type { Auth } from "../auth/auth";
import { authenticateSocket } from "../auth/socket";
import { loadDefinitions } from "../db/metric-definitions";
import { readLiveSeed } from "../db/live-seed";
import { createLogger } from "../log";
import { request, signIn, startAuthTestStack, type AuthTestStack } from "../testing/auth";
import { eventually, uniqueName } from "../testing/harness";
import { startLiveFeed, type LiveFeed } from "./live-feed";
import { startLiveGateway, type LiveServer } from "./live-gateway";
import { getWebServices, liveSubject } from "./services";
import { disconnectRevokedSockets } from "./session-revocation";

const namespace = uniqueName("tsock");
let stack: AuthTestStack;
let auth: Auth;
let http: HttpServer;
let io: LiveServer;
let feed: LiveFeed;
let stopGateway: () => void;
let url: string;
let stopRevocations: () => void;
let passwords: Record<string, string> = {};
const sockets: Socket[] = [];

beforeAll(async () => {
  stack = await startAuthTestStack(namespace, { adminPassword: "admin-password-123", signInPerMinute: 100 });
  ({ auth, passwords } = stack);
  const services = await getWebServices();
  http = createServer();
  io = new Server(http);
  const log = createLogger("test", "error");
  const { definitions } = await loadDefinitions(services.db.pool);
  feed = startLiveFeed({
    nc: services.nc,
    liveSubject: liveSubject(services.config),
    readSeed: () => readLiveSeed(services.db.pool, definitions, 5_000),
    log,
  });
  // The production gateway with the production handshake check.
  stopGateway = startLiveGateway({
    io,
    feed,
    definitions: () => definitions,
    authenticate: authenticateSocket,
    log,
  }).stop;
  stopRevocations = disconnectRevokedSockets(services.nc, services.config, io).stop;
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const socket of sockets) socket.close();
  stopRevocations?.();
  stopGateway?.();
  feed?.stop();
  await io?.close();
  await stack?.close();
});

/** Connects with these headers; resolves "connected" or the connect_error message. */
function attempt(headers: Record<string, string>): Promise<{ outcome: string; socket: Socket }> {
  const socket = connect(url, { transports: ["websocket"], extraHeaders: headers, reconnection: false });
  sockets.push(socket);
  return new Promise((resolve) => {
    socket.on("connect", () => resolve({ outcome: "connected", socket }));
    socket.on("connect_error", (error) => resolve({ outcome: error.message, socket }));
  });
}

describe("Socket.IO handshake", () => {
  it("refuses anonymous clients, forged cookies and API keys with connect_error 'unauthorized'", async () => {
    const services = await getWebServices();
    const { secret } = await createApiKey(services.db.pool, {
      name: "reader",
      scope: "read",
      createdBy: null,
    });
    expect((await attempt({})).outcome).toBe("unauthorized");
    expect((await attempt({ cookie: "nowcast.session_token=forged.value" })).outcome).toBe("unauthorized");
    expect((await attempt({ authorization: `Bearer ${secret}` })).outcome).toBe("unauthorized");
  });

  it("accepts every role's session cookie, and every role may use every client event", async () => {
    for (const [i, email] of ["viewer@example.com", "analyst@example.com", "admin@example.com"].entries()) {
      const { cookie } = await signIn(auth, email, passwords[email] ?? "", `10.4.0.${i + 1}`);
      const { outcome, socket } = await attempt({ cookie: cookie ?? "" });
      expect(outcome, email).toBe("connected");
      // The socket access table: every client → server event and the lowest role that may use it.
      // Typed by the contract: a new client event without an entry here does not compile.
      const events: Record<keyof ClientToServerEvents, () => Promise<{ ok: boolean }>> = {
        "live:subscribe": () =>
          new Promise((resolve) =>
            socket.emit("live:subscribe", { metric: "page_views", resolution: "10s" }, resolve),
          ),
        "live:unsubscribe": () =>
          new Promise((resolve) =>
            socket.emit("live:unsubscribe", { subscription: "page_views|10s|" }, resolve),
          ),
        "pipeline:subscribe": () => new Promise((resolve) => socket.emit("pipeline:subscribe", resolve)),
      };
      for (const [event, use] of Object.entries(events))
        expect((await use()).ok, `${email} ${event}`).toBe(true);
    }
  });

  it("cuts a disabled user's live socket at once and refuses its reconnect", async () => {
    const { cookie: viewer } = await signIn(
      auth,
      "viewer@example.com",
      passwords["viewer@example.com"] ?? "",
      "10.4.1.1",
    );
    const { cookie: admin } = await signIn(auth, "admin@example.com", "admin-password-123", "10.4.1.2");
    const { socket, outcome } = await attempt({ cookie: viewer ?? "" });
    expect(outcome).toBe("connected");
    const services = await getWebServices();
    const id =
      (
        await services.db.pool.query<{ id: string }>(
          `SELECT id FROM users WHERE email = 'viewer@example.com'`,
        )
      ).rows[0]?.id ?? "";
    const { PATCH } = await import("../../app/api/admin/users/[id]/route");
    const response = await PATCH(
      request("PATCH", `/api/admin/users/${id}`, { cookie: admin }, { disabled: true }),
      {
        params: Promise.resolve({ id }),
      },
    );
    expect(response.status).toBe(200);
    await eventually(
      async () => (socket.connected ? undefined : true),
      5_000,
      "the socket to be disconnected",
    );
    expect((await attempt({ cookie: viewer ?? "" })).outcome).toBe("unauthorized");
  });
});
