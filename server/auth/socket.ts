import type { IncomingHttpHeaders } from "node:http";
import { identify } from "./principal";
import type { Principal } from "./roles";

/** The signed-in user behind a Socket.IO handshake (session cookie), or null. */
export async function authenticateHandshake(incoming: IncomingHttpHeaders): Promise<Principal | null> {
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming)) {
    if (name === "authorization" || value === undefined) continue;
    headers.set(name, Array.isArray(value) ? value.join(", ") : value);
  }
  const identity = await identify(headers);
  return identity.kind === "principal" && identity.principal.kind === "user" ? identity.principal : null;
}
