"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect, useState } from "react";
import { io, type Socket } from "socket.io-client";
import { AlertNotice } from "../../server/contract/alerts-api";
import type { ClientToServerEvents, ServerToClientEvents } from "../../server/contract/socket";
import styles from "./alerts.module.css";
import { alertsQuery } from "./queries";
import { formatValue } from "./rule-form";

const TOAST_MS = 8_000;

/**
 * On every page for signed-in users: what is firing or pending now, kept current by the
 * gateway's `alert:transition` events (which also show as toasts) and a slow refetch.
 */
export function AlertBar() {
  const client = useQueryClient();
  const alerts = useQuery(alertsQuery(false));
  const [toasts, setToasts] = useState<Array<AlertNotice & { key: number }>>([]);

  useEffect(() => {
    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io({
      path: "/socket.io",
      transports: ["websocket"],
    });
    let next = 0;
    socket.on("alert:transition", (raw) => {
      const notice = AlertNotice.safeParse(raw);
      if (!notice.success) return;
      void client.invalidateQueries({ queryKey: ["alerts"] });
      const key = next++;
      setToasts((list) => [...list.slice(-3), { ...notice.data, key }]);
      setTimeout(() => setToasts((list) => list.filter((t) => t.key !== key)), TOAST_MS);
    });
    return () => {
      socket.disconnect();
    };
  }, [client]);

  const active = alerts.data?.instances ?? [];
  const firing = active.filter((i) => i.state === "firing" || i.state === "recovering");
  const pending = active.filter((i) => i.state === "pending");
  return (
    <>
      {(firing.length > 0 || pending.length > 0) && (
        <div
          className={firing.length > 0 ? styles.barFiring : styles.barPending}
          role="status"
          data-testid="alert-bar"
        >
          {firing.length > 0 ? (
            <strong>{firing.length} firing</strong>
          ) : (
            <strong>{pending.length} pending</strong>
          )}
          <span>
            {[...firing, ...pending]
              .slice(0, 3)
              .map(
                (i) =>
                  `${i.ruleName}${i.group ? ` [${i.group}]` : ""} ${i.state} at ${formatValue(i.value, i.unit)}`,
              )
              .join(" · ")}
          </span>
          <Link href="/alerts">Open alerts</Link>
        </div>
      )}
      <div className={styles.toasts} aria-live="polite">
        {toasts.map((t) => (
          <div
            key={t.key}
            className={t.to === "firing" ? styles.toastFiring : styles.toast}
            data-testid="alert-toast"
          >
            <strong>{t.ruleName}</strong>
            {t.group ? ` [${t.group}]` : ""}: {t.from.replace("_", " ")} → {t.to.replace("_", " ")} (
            {formatValue(t.value)})
          </div>
        ))}
      </div>
    </>
  );
}
