import type { NatsConnection } from "@nats-io/transport-node";
import type { Server } from "socket.io";
import { natsNames, type Config } from "../config";

/** Room every socket of a user joins, so its sockets can be cut when its access changes. */
export const userRoom = (userId: string) => `user:${userId}`;

function subject(config: Config): string {
  return `${natsNames(config.NOWCAST_NAMESPACE).liveSubjectPrefix}.auth.revoked`;
}

/** Tells every web instance that this user's access changed (disabled, role, password reset). */
export function announceRevocation(nc: NatsConnection, config: Config, userId: string): void {
  nc.publish(subject(config), JSON.stringify({ userId }));
}

/**
 * Disconnects a user's sockets on every web instance when its access changes; the browser
 * reconnects and the handshake decides again with the current role (or refuses).
 */
export function disconnectRevokedSockets(nc: NatsConnection, config: Config, io: Server): { stop(): void } {
  const subscription = nc.subscribe(subject(config), {
    callback: (error, message) => {
      if (error) return;
      let userId: unknown;
      try {
        userId = (message.json() as { userId?: unknown }).userId;
      } catch {
        return;
      }
      if (typeof userId === "string") io.in(userRoom(userId)).disconnectSockets(true);
    },
  });
  return { stop: () => subscription.unsubscribe() };
}
