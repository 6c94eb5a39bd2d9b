import type { IncomingHttpHeaders } from "node:http";
import { identify } from "./principal";
import type { Principal } from "./roles";

/** What the Socket.IO handshake offers for authentication (headers carry the session cookie). */
export interface SocketHandshake {
  headers: IncomingHttpHeaders | Record<string, string | string[] | undefined>;
  auth: Record<string, unknown>;
}

/** The signed-in user behind a Socket.IO handshake (session cookie), or null. API keys never open sockets. */
export async function authenticateSocket(handshake: SocketHandshake): Promise<Principal | null> {
  const headers = new Headers();
  for (const [name, value] of Object.entries(handshake.headers)) {
    if (name === "authorization" || value === undefined) continue;
    headers.set(name, Array.isArray(value) ? value.join(", ") : value);
  }
  const identity = await identify(headers);
  return identity.kind === "principal" && identity.principal.kind === "user" ? identity.principal : null;
}
