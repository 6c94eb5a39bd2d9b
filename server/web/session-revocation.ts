import type { NatsConnection } from "@nats-io/transport-node";
import type { Server } from "socket.io";
import { natsNames, type Config } from "../config";
import { Revocation } from "../contract/auth";
import type { Logger } from "../log";
import { errorFields } from "../log";

function subject(config: Config): string {
  return `${natsNames(config.NOWCAST_NAMESPACE).liveSubjectPrefix}.auth.revoked`;
}

/**
 * Tells every web instance that access ended (core NATS, at most once). If NATS is down the
 * announcement is lost: sockets are then cut by the periodic session re-check and cached keys
 * expire after their TTL (README, "Access control").
 */
export function announceRevocation(
  nc: NatsConnection,
  config: Config,
  revocation: Revocation,
  log?: Logger,
): void {
  try {
    nc.publish(subject(config), JSON.stringify(revocation));
  } catch (error) {
    log?.warn("could not announce a revocation", { ...revocation, ...errorFields(error) });
  }
}

/** Calls `listener` with every well-formed revocation any process announces. */
export function onRevocation(
  nc: NatsConnection,
  config: Config,
  listener: (revocation: Revocation) => void,
): { stop(): void } {
  const subscription = nc.subscribe(subject(config), {
    callback: (error, message) => {
      if (error) return;
      let body: unknown;
      try {
        body = message.json();
      } catch {
        return;
      }
      const parsed = Revocation.safeParse(body);
      if (parsed.success) listener(parsed.data);
    },
  });
  return { stop: () => subscription.unsubscribe() };
}

/** What a socket is known by: its user and, for a browser session, the session's id. */
export interface SocketOwner {
  principal: { id: string; sessionId?: string | undefined };
}

/** True when this revocation ends the access of a socket owned by `owner`. */
export function revokes(revocation: Revocation, owner: SocketOwner): boolean {
  if ("userId" in revocation) return owner.principal.id === revocation.userId;
  if ("sessionId" in revocation) return owner.principal.sessionId === revocation.sessionId;
  return false;
}

/**
 * Disconnects the sockets whose user or session lost access, on every web instance. It walks
 * the server's own list of connected sockets, which no client message can change (rooms could
 * be left with `live:unsubscribe`); the browser reconnects and the handshake decides again.
 */
export function disconnectRevokedSockets(nc: NatsConnection, config: Config, io: Server): { stop(): void } {
  return onRevocation(nc, config, (revocation) => {
    for (const socket of io.of("/").sockets.values()) {
      const owner = socket.data as Partial<SocketOwner>;
      if (owner.principal && revokes(revocation, { principal: owner.principal })) socket.disconnect(true);
    }
  });
}
