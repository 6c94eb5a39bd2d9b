"use client";

import { useQueries, useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useRef, useState } from "react";
import { io, type Socket } from "socket.io-client";
import {
  parseLiveUpdate,
  parseSubscribeAck,
  PipelineAck,
  PipelineStats,
  SNAPSHOT_SPAN_MS,
  subscriptionId,
  type ClientToServerEvents,
  type DroppedBucket,
  type LiveSubscribe,
  type LiveUpdate,
  type ServerToClientEvents,
} from "../../server/contract";
import { applyUpdate, fromSnapshot, prune, type SeriesState } from "./live-series";

export type ConnectionState = "connecting" | "live" | "reconnecting" | "offline";
type LiveSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export const seriesKey = (id: string) => ["live", "series", id] as const;
export const pipelineKey = ["live", "pipeline"] as const;
/** Live data only ever arrives through the socket. */
const never = () => new Promise<never>(() => undefined);
const WRITE_INTERVAL_MS = 250;
const RETRY_MS = 2_000;

/**
 * Holds one Socket.IO connection and the given subscriptions. Snapshots and updates are
 * merged by the pure functions of live-series and written into the React Query cache (at
 * most every 250 ms, so charts do not re-render per message). Updates that arrive before a
 * subscription's snapshot are buffered; on reconnect or a sequence gap it resubscribes and
 * reconciles with what it had. A malformed bucket is dropped, logged and counted
 * (`droppedBuckets`); the rest of its snapshot or update is applied.
 */
export function useLiveSubscriptions(subscriptions: readonly LiveSubscribe[]) {
  const queryClient = useQueryClient();
  const [connection, setConnection] = useState<ConnectionState>("connecting");
  const [error, setError] = useState<string | undefined>();
  const [droppedBuckets, setDroppedBuckets] = useState(0);
  const socketRef = useRef<LiveSocket | null>(null);
  const wanted = useRef(new Map<string, LiveSubscribe>());
  const early = useRef(new Map<string, LiveUpdate[]>());
  const pending = useRef(new Map<string, SeriesState>());
  const subscribeRef = useRef<((request: LiveSubscribe) => void) | null>(null);

  const read = useCallback(
    (id: string) => pending.current.get(id) ?? queryClient.getQueryData<SeriesState>(seriesKey(id)),
    [queryClient],
  );

  useEffect(() => {
    const drop = (what: string, id: string, dropped: readonly DroppedBucket[]) => {
      if (dropped.length === 0) return;
      console.warn(`live: ignored ${dropped.length} malformed bucket(s) in the ${what} of ${id}`, dropped);
      setDroppedBuckets((n) => n + dropped.length);
    };
    const socket: LiveSocket = io({ path: "/socket.io", transports: ["websocket"] });
    socketRef.current = socket;
    const subscribe = (request: LiveSubscribe) => {
      const id = subscriptionId(request);
      early.current.set(id, []);
      socket.emit("live:subscribe", request, (raw) => {
        if (!wanted.current.has(id)) return;
        const answer = parseSubscribeAck(raw);
        if (!answer?.ok) {
          setError(answer ? answer.error.message : "malformed snapshot");
          setTimeout(() => {
            if (socket.connected && wanted.current.has(id)) subscribe(request);
          }, RETRY_MS);
          return;
        }
        drop("snapshot", id, answer.dropped);
        const state = fromSnapshot(answer.snapshot, early.current.get(id) ?? [], read(id));
        early.current.delete(id);
        pending.current.set(id, state);
      });
    };
    subscribeRef.current = subscribe;
    socket.on("connect", () => {
      setConnection("live");
      setError(undefined);
      for (const request of wanted.current.values()) subscribe(request);
      socket.emit("pipeline:subscribe", (raw) => {
        const answer = PipelineAck.safeParse(raw);
        if (answer.success && answer.data.ok && answer.data.stats)
          queryClient.setQueryData(pipelineKey, answer.data.stats);
      });
    });
    socket.on("disconnect", (reason) => {
      setConnection("reconnecting");
      // The server cuts a socket when its user's access changed (disabled, new role): Socket.IO
      // does not retry those by itself, so ask again and let the handshake decide.
      if (reason === "io server disconnect") socket.connect();
    });
    socket.on("connect_error", (cause) => {
      setConnection(socket.active ? "reconnecting" : "offline");
      setError(
        cause.message === "unauthorized"
          ? "Not signed in: live data needs the viewer role."
          : cause.message === "forbidden_origin"
            ? "This page's address is not the app's own: open Nowcast at its configured URL."
            : `Cannot reach the live service (${cause.message}); retrying.`,
      );
    });
    socket.on("live:update", (raw) => {
      const parsed = parseLiveUpdate(raw);
      if (!parsed) return;
      const update = parsed.value;
      drop("update", update.subscription, parsed.dropped);
      const request = wanted.current.get(update.subscription);
      if (!request) return;
      const buffer = early.current.get(update.subscription);
      if (buffer) return void buffer.push(update);
      const current = read(update.subscription);
      if (!current) return;
      const { state, gap } = applyUpdate(current, update);
      const horizon = (state.watermark ?? Date.now()) - SNAPSHOT_SPAN_MS[state.resolution] - 60_000;
      pending.current.set(update.subscription, prune(state, horizon));
      if (gap) subscribe(request);
    });
    socket.on("pipeline:update", (raw) => {
      const parsed = PipelineStats.safeParse(raw);
      if (parsed.success) queryClient.setQueryData(pipelineKey, parsed.data);
    });
    const writer = setInterval(() => {
      for (const [id, state] of pending.current) queryClient.setQueryData(seriesKey(id), state);
      pending.current.clear();
    }, WRITE_INTERVAL_MS);
    return () => {
      clearInterval(writer);
      socket.close();
      socketRef.current = null;
      subscribeRef.current = null;
    };
  }, [queryClient, read]);

  const ids = subscriptions.map(subscriptionId).join(",");
  useEffect(() => {
    const next = new Map(subscriptions.map((s) => [subscriptionId(s), s]));
    const socket = socketRef.current;
    for (const id of wanted.current.keys()) {
      if (next.has(id)) continue;
      wanted.current.delete(id);
      early.current.delete(id);
      socket?.emit("live:unsubscribe", { subscription: id });
    }
    for (const [id, request] of next) {
      if (wanted.current.has(id)) continue;
      wanted.current.set(id, request);
      if (socket?.connected) subscribeRef.current?.(request);
    }
    // `ids` captures the subscriptions' identity; the array itself changes every render.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [ids]);

  const results = useQueries({
    queries: subscriptions.map((s) => ({
      queryKey: seriesKey(subscriptionId(s)),
      queryFn: never,
      enabled: false,
      staleTime: Infinity,
    })),
  });
  const series: Record<string, SeriesState | undefined> = {};
  subscriptions.forEach((s, i) => (series[subscriptionId(s)] = results[i]?.data as SeriesState | undefined));
  const pipeline = useQuery<PipelineStats>({
    queryKey: pipelineKey,
    queryFn: never,
    enabled: false,
    staleTime: Infinity,
  });
  return { series, connection, error, pipeline: pipeline.data, droppedBuckets };
}
