// PLACEHOLDER replaced by issue 4: the real check reads the session cookie of the handshake
// and returns its principal (or null when anonymous). Until then every connection is a viewer.
import type { Principal } from "./guard";

/** What the Socket.IO handshake offers for authentication (headers carry the cookie). */
export interface SocketHandshake {
  headers: Record<string, string | string[] | undefined>;
  auth: Record<string, unknown>;
}

export async function authenticateSocket(_handshake: SocketHandshake): Promise<Principal | null> {
  return { kind: "user", id: "placeholder", name: "placeholder", role: "viewer" };
}
