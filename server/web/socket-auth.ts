import type { IncomingHttpHeaders } from "node:http";
import type { Server, Socket } from "socket.io";
import type { Principal } from "../auth/roles";
import { errorFields, type Logger } from "../log";
import { userRoom } from "./session-revocation";

export type Authenticate = (headers: IncomingHttpHeaders) => Promise<Principal | null>;

/**
 * The Socket.IO handshake check: the session cookie must belong to an enabled user, else the
 * client gets `connect_error` "unauthorized". The principal is kept on `socket.data`, and the
 * socket joins its user's room so a change of access can cut it (session-revocation.ts).
 */
export function requireSignedIn(io: Server, authenticate: Authenticate, log: Logger): void {
  io.use((socket: Socket, next) => {
    authenticate(socket.request.headers).then(
      (principal) => {
        if (!principal) return next(new Error("unauthorized"));
        (socket.data as { principal?: Principal }).principal = principal;
        next();
      },
      (error: unknown) => {
        log.warn("socket authentication failed", errorFields(error));
        next(new Error("unavailable"));
      },
    );
  });
  io.on("connection", (socket: Socket) => {
    const principal = (socket.data as { principal?: Principal }).principal;
    if (principal) void socket.join(userRoom(principal.id));
  });
}
