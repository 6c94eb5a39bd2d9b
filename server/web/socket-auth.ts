import type { IncomingHttpHeaders } from "node:http";
import { identifyUser } from "./principal";
import type { Principal } from "../auth/roles";

/** What the Socket.IO handshake offers for authentication (headers carry the session cookie). */
export interface SocketHandshake {
  headers: IncomingHttpHeaders | Record<string, string | string[] | undefined>;
  auth: Record<string, unknown>;
}

/** The signed-in user behind a Socket.IO handshake (session cookie), or null. API keys never open sockets. */
export async function authenticateSocket(handshake: SocketHandshake): Promise<Principal | null> {
  const headers = new Headers();
  for (const [name, value] of Object.entries(handshake.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
  }
  return identifyUser(headers);
}
