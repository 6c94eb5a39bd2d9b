import type pg from "pg";
import type { Server } from "socket.io";
import { errorFields, type Logger } from "../log";
import type { SocketOwner } from "./session-revocation";

/** A connected socket as the re-check sees it. */
export interface SocketSession {
  socketId: string;
  sessionId: string | undefined;
  role: string | null;
}

/** A session as the database holds it now (only unexpired ones are read). */
export interface LiveSession {
  role: string;
  banned: boolean;
}

/**
 * The sockets whose access has ended since their handshake: the session is gone or expired,
 * the user is disabled, or its role changed (the reconnect then decides with the new role).
 * A socket without a session id cannot be verified and is cut too. Pure.
 */
export function socketsToCut(
  sockets: readonly SocketSession[],
  sessions: ReadonlyMap<string, LiveSession>,
): string[] {
  return sockets
    .filter(({ sessionId, role }) => {
      const session = sessionId === undefined ? undefined : sessions.get(sessionId);
      return !session || session.banned || session.role !== role;
    })
    .map((s) => s.socketId);
}

/**
 * Every `intervalMs`, checks the sessions behind this instance's open sockets against the
 * database and cuts those that lost access. It catches what no announcement reported: expired
 * sessions, announcements lost while NATS was down, changes made by hand in SQL. While the
 * database cannot be read, sockets are left as they are (their reconnect would be refused).
 */
export function startSessionRecheck(deps: { io: Server; pool: pg.Pool; intervalMs: number; log: Logger }): {
  stop(): void;
  runOnce(): Promise<number>;
} {
  const runOnce = async (): Promise<number> => {
    const sockets = [...deps.io.of("/").sockets.values()];
    const owned: SocketSession[] = [];
    for (const socket of sockets) {
      const principal = (socket.data as Partial<SocketOwner> & { principal?: { role?: string | null } })
        .principal;
      if (principal)
        owned.push({ socketId: socket.id, sessionId: principal.sessionId, role: principal.role ?? null });
    }
    if (owned.length === 0) return 0;
    const ids = [...new Set(owned.flatMap((s) => (s.sessionId ? [s.sessionId] : [])))];
    const { rows } = await deps.pool.query<{ id: string; role: string; banned: boolean }>(
      `SELECT s.id, u.role, u.banned FROM sessions s JOIN users u ON u.id = s.user_id
       WHERE s.id = ANY($1) AND s.expires_at > now()`,
      [ids],
    );
    const cut = new Set(socketsToCut(owned, new Map(rows.map((r) => [r.id, r]))));
    for (const socket of sockets) if (cut.has(socket.id)) socket.disconnect(true);
    return cut.size;
  };
  const timer = setInterval(() => {
    runOnce().catch((error: unknown) => deps.log.warn("socket session re-check failed", errorFields(error)));
  }, deps.intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer), runOnce };
}
