import { Role } from "../contract/auth";
import { getWebServices } from "./services";
import { announceRevocation } from "./session-revocation";
import { verifyApiKey } from "../auth/api-keys";
import { createAuth, type Auth } from "../auth/auth";
import type { Principal } from "../auth/roles";

// One better-auth instance per process, shared by the custom server and the route handlers
// (Next bundles them separately, so it lives on globalThis like the web services).
const KEY = Symbol.for("nowcast.web.auth");
type Holder = { [KEY]?: Promise<Auth> };

export function getAuth(): Promise<Auth> {
  const holder = globalThis as Holder;
  if (!holder[KEY]) {
    // A session better-auth deletes (sign-out) is announced, so its sockets are cut everywhere.
    const pending = getWebServices().then((s) =>
      createAuth(s.db.authPool, s.config, {
        onSessionEnded: (session) => announceRevocation(s.nc, s.config, { sessionId: session.id }, s.log),
      }),
    );
    holder[KEY] = pending;
    pending.catch(() => {
      if (holder[KEY] === pending) delete holder[KEY];
    });
  }
  return holder[KEY];
}

export type Identification =
  | { kind: "principal"; principal: Principal }
  | { kind: "anonymous" }
  /** An `Authorization` header whose key is unknown or revoked. */
  | { kind: "invalid_key" };

/** Who sent these headers: an API key (`Authorization: Bearer`) or a session cookie. */
export async function identify(headers: Headers): Promise<Identification> {
  const authorization = headers.get("authorization");
  if (authorization) {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (!match?.[1]) return { kind: "invalid_key" };
    const services = await getWebServices();
    const key = await verifyApiKey(services.db.pool, match[1], services.apiKeys, services.log);
    if (!key) return { kind: "invalid_key" };
    return {
      kind: "principal",
      principal: { kind: "api_key", id: key.id, name: key.name, role: null, scope: key.scope },
    };
  }
  const auth = await getAuth();
  const session = await auth.api.getSession({ headers });
  if (!session) return { kind: "anonymous" };
  const { user } = session;
  const role = Role.safeParse(user.role);
  if (user.banned || !role.success) return { kind: "anonymous" };
  return {
    kind: "principal",
    principal: {
      kind: "user",
      id: user.id,
      name: user.email,
      role: role.data,
      scope: null,
      sessionId: session.session.id,
    },
  };
}

/**
 * The signed-in user behind a browser's cookies, or null. An `Authorization` header is ignored:
 * API keys never open pages or sockets.
 */
export async function identifyUser(headers: Headers): Promise<Principal | null> {
  const cookiesOnly = new Headers(headers);
  cookiesOnly.delete("authorization");
  const identity = await identify(cookiesOnly);
  return identity.kind === "principal" && identity.principal.kind === "user" ? identity.principal : null;
}
