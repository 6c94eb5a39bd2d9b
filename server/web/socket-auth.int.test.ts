// The Socket.IO handshake against real sessions: a real server on port 0, real clients; and
// every way access ends (disable, sign-out, password reset from the CLI, expiry) reaching the
// socket, whatever the client does.
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Server } from "socket.io";
import { io as connect, type Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "../auth/api-keys";
import type { ClientToServerEvents } from "../contract";
import type { Auth } from "../auth/auth";
import { authenticateSocket } from "./socket-auth";
import { loadDefinitions } from "../db/metric-definitions";
import { readLiveSeed } from "../db/live-seed";
import { createLogger } from "../log";
import { request, signIn, startAuthTestStack, type AuthTestStack } from "../testing/auth";
import { eventually, uniqueName } from "../testing/harness";
import { startLiveFeed, type LiveFeed } from "./live-feed";
import { startLiveGateway, type LiveServer } from "./live-gateway";
import { getWebServices, liveSubject } from "./services";
import { startSessionRecheck } from "./session-recheck";
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
let recheck: ReturnType<typeof startSessionRecheck>;
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
  // Driven by hand below (runOnce); the interval never fires within the test.
  recheck = startSessionRecheck({ io, pool: services.db.pool, intervalMs: 3_600_000, log });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const socket of sockets) socket.close();
  stopRevocations?.();
  recheck?.stop();
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

const run = promisify(execFile);

async function signedIn(email: string, ip: string) {
  const password = email === "admin@example.com" ? "admin-password-123" : (passwords[email] ?? "");
  const { cookie } = await signIn(auth, email, password, ip);
  return cookie ?? "";
}

async function userId(email: string): Promise<string> {
  const services = await getWebServices();
  const { rows } = await services.db.pool.query<{ id: string }>(`SELECT id FROM users WHERE email = $1`, [
    email,
  ]);
  return rows[0]?.id ?? "";
}

const cut = (socket: Socket, what: string) =>
  eventually(async () => (socket.connected ? undefined : true), 5_000, what);

/** A fresh analyst (own sessions, so tests do not sign each other out). */
async function freshAnalyst(admin: string): Promise<{ email: string; password: string }> {
  const { POST } = await import("../../app/api/admin/users/route");
  const email = `${uniqueName("ops")}@example.com`;
  const password = "a-fresh-password-123";
  const response = await POST(
    request("POST", "/api/admin/users", { cookie: admin }, { name: "Ops", email, role: "analyst", password }),
  );
  expect(response.status).toBe(201);
  passwords[email] = password;
  return { email, password };
}

describe("access that ends reaches the socket", () => {
  it("a client that leaves every room it can name is still cut when its user is disabled", async () => {
    const admin = await signedIn("admin@example.com", "10.4.2.1");
    const { email } = await freshAnalyst(admin);
    const { socket } = await attempt({ cookie: await signedIn(email, "10.4.2.2") });
    const id = await userId(email);
    // The per-user room of old, the pipeline room, its own id room, garbage: none may be left.
    for (const subscription of [`user:${id}`, "pipeline", socket.id ?? "", "page_views|10s|"])
      await new Promise((resolve) => socket.emit("live:unsubscribe", { subscription }, resolve));
    const { PATCH } = await import("../../app/api/admin/users/[id]/route");
    const off = await PATCH(request("PATCH", "/x", { cookie: admin }, { disabled: true }), {
      params: Promise.resolve({ id }),
    });
    expect(off.status).toBe(200);
    await cut(socket, "the disabled user's socket to be cut");
  });

  it("signing out through better-auth cuts that session's sockets, not the user's others", async () => {
    const admin = await signedIn("admin@example.com", "10.4.3.1");
    const { email } = await freshAnalyst(admin);
    const leaving = await signedIn(email, "10.4.3.2");
    const staying = await signedIn(email, "10.4.3.3");
    const { socket: gone } = await attempt({ cookie: leaving });
    const { socket: kept } = await attempt({ cookie: staying });
    const { POST } = await import("../../app/api/auth/[...all]/route");
    const out = await POST(request("POST", "/api/auth/sign-out", { cookie: leaving }, {}));
    expect(out.status).toBe(200);
    await cut(gone, "the signed-out session's socket to be cut");
    expect(kept.connected).toBe(true);
  });

  it("a password reset from the CLI cuts the user's sockets on this instance", async () => {
    const admin = await signedIn("admin@example.com", "10.4.4.1");
    const { email } = await freshAnalyst(admin);
    const { socket } = await attempt({ cookie: await signedIn(email, "10.4.4.2") });
    const services = await getWebServices();
    await run(process.execPath, ["--import", "tsx", "scripts/users.ts", "reset-password", email], {
      cwd: path.resolve(import.meta.dirname, "..", ".."),
      env: {
        ...process.env,
        DATABASE_URL: stack.database.url,
        NOWCAST_NAMESPACE: services.config.NOWCAST_NAMESPACE,
      },
    });
    await cut(socket, "the socket of the user whose password was reset to be cut");
  });

  it("the session re-check cuts sockets whose session expired or whose user changed unannounced", async () => {
    const admin = await signedIn("admin@example.com", "10.4.5.1");
    const first = await freshAnalyst(admin);
    const second = await freshAnalyst(admin);
    const expiring = await signedIn(first.email, "10.4.5.2");
    const { socket: expired } = await attempt({ cookie: expiring });
    const { socket: banned } = await attempt({ cookie: await signedIn(second.email, "10.4.5.3") });
    const third = await freshAnalyst(admin);
    const { socket: fine } = await attempt({ cookie: await signedIn(third.email, "10.4.5.4") });
    const pool = (await getWebServices()).db.pool;
    // Neither change is announced: the session simply runs out; a hand-written UPDATE bans.
    await pool.query(`UPDATE sessions SET expires_at = now() - interval '1 second' WHERE user_id = $1`, [
      await userId(first.email),
    ]);
    await pool.query(`UPDATE users SET banned = true WHERE email = $1`, [second.email]);
    expect(await recheck.runOnce()).toBe(2);
    await cut(expired, "the expired session's socket to be cut");
    await cut(banned, "the banned user's socket to be cut");
    expect(fine.connected).toBe(true);
    expect((await attempt({ cookie: expiring })).outcome).toBe("unauthorized");
  });
});

describe("the handshake's origin", () => {
  it("refuses pages of another origin with connect_error 'forbidden_origin'", async () => {
    const { email } = await freshAnalyst(await signedIn("admin@example.com", "10.4.6.1"));
    const cookie = await signedIn(email, "10.4.6.2");
    const own = new URL(url).origin;
    expect((await attempt({ cookie, origin: "http://127.0.0.1:1" })).outcome).toBe("forbidden_origin");
    expect((await attempt({ cookie, origin: "http://evil.example" })).outcome).toBe("forbidden_origin");
    expect((await attempt({ cookie, origin: "null" })).outcome).toBe("forbidden_origin");
    expect((await attempt({ cookie, origin: own, "sec-fetch-site": "same-site" })).outcome).toBe(
      "forbidden_origin",
    );
    expect((await attempt({ cookie, origin: own })).outcome).toBe("connected");
    // Not a browser (no Origin, no Fetch Metadata): the session cookie alone decides.
    expect((await attempt({ cookie })).outcome).toBe("connected");
  });
});
