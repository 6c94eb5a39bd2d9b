"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { io, type Socket } from "socket.io-client";
import {
  RatesUpdate,
  SubscribeAck,
  type ClientToServerEvents,
  type LiveBatch,
  type ServerToClientEvents,
} from "../../server/contract";
import { applyBatches, fromSnapshot, prune, type RatesState } from "./rates-model";

export type ConnectionState = "connecting" | "live" | "reconnecting" | "error";

export const liveRatesKey = (windowSeconds: number) => ["live", "rates", windowSeconds] as const;

/**
 * Subscribes to live per-type rates. The snapshot and every pushed batch are written into the
 * React Query cache; batches that arrive before the snapshot are buffered and merged after it.
 * On reconnect, or when a sequence gap shows a lost batch, it resubscribes from a fresh snapshot.
 */
export function useLiveRates(windowSeconds: number) {
  const queryClient = useQueryClient();
  const queryKey = liveRatesKey(windowSeconds);
  const [connection, setConnection] = useState<ConnectionState>("connecting");
  const [error, setError] = useState<string | undefined>();

  useEffect(() => {
    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io({ path: "/socket.io" });
    let buffer: LiveBatch[] | null = [];
    let retry: ReturnType<typeof setTimeout> | undefined;
    const key = liveRatesKey(windowSeconds);

    const subscribe = () => {
      buffer = [];
      socket.emit("rates:subscribe", { windowSeconds }, (raw) => {
        const answer = SubscribeAck.safeParse(raw);
        if (!answer.success || !answer.data.ok) {
          setError(answer.success && !answer.data.ok ? answer.data.error.message : "malformed snapshot");
          retry = setTimeout(subscribe, 2_000);
          return;
        }
        const state = applyBatches(fromSnapshot(answer.data.snapshot), buffer ?? []);
        buffer = null;
        queryClient.setQueryData<RatesState>(key, { ...state, gap: false });
        setError(undefined);
        setConnection("live");
      });
    };

    socket.on("connect", subscribe);
    socket.on("disconnect", () => setConnection("reconnecting"));
    socket.on("connect_error", () => setConnection("reconnecting"));
    socket.on("rates:update", (raw) => {
      const update = RatesUpdate.safeParse(raw);
      if (!update.success) return;
      if (buffer) {
        buffer.push(...update.data.batches);
        return;
      }
      const current = queryClient.getQueryData<RatesState>(key);
      if (!current) return;
      const next = prune(
        applyBatches(current, update.data.batches),
        Date.now() - windowSeconds * 1000 - 60_000,
      );
      queryClient.setQueryData<RatesState>(key, next);
      if (next.gap) subscribe();
    });

    return () => {
      clearTimeout(retry);
      socket.close();
    };
  }, [queryClient, windowSeconds]);

  const query = useQuery<RatesState>({
    queryKey,
    // Data arrives only through the socket; there is nothing to fetch.
    queryFn: () => new Promise<RatesState>(() => undefined),
    enabled: false,
    staleTime: Infinity,
    gcTime: Infinity,
  });

  return { state: query.data, connection, error };
}
