import { queryOptions } from "@tanstack/react-query";
import type {
  AlertChannelView,
  AlertDeliveryView,
  AlertRuleView,
  AlertSilenceView,
  AlertsResponse,
  MetricDefinition,
} from "../../server/contract";
import { fetchJson } from "../api-client";

export const alertsQuery = (all: boolean) =>
  queryOptions({
    queryKey: ["alerts", all ? "all" : "active"],
    queryFn: () => fetchJson<AlertsResponse>(`/api/alerts${all ? "?all=1" : ""}`),
    refetchInterval: 10_000,
  });

export const rulesQuery = () =>
  queryOptions({
    queryKey: ["admin", "alerts", "rules"],
    queryFn: () =>
      fetchJson<{ rules: AlertRuleView[]; metrics: MetricDefinition[] }>("/api/admin/alerts/rules"),
  });

export const channelsQuery = () =>
  queryOptions({
    queryKey: ["admin", "alerts", "channels"],
    queryFn: async () =>
      (await fetchJson<{ channels: AlertChannelView[] }>("/api/admin/alerts/channels")).channels,
  });

export const deliveriesQuery = (channelId: string) =>
  queryOptions({
    queryKey: ["admin", "alerts", "deliveries", channelId],
    queryFn: async () =>
      (
        await fetchJson<{ deliveries: AlertDeliveryView[] }>(
          `/api/admin/alerts/channels/${encodeURIComponent(channelId)}/deliveries`,
        )
      ).deliveries,
    refetchInterval: 3_000,
  });

export const silencesQuery = () =>
  queryOptions({
    queryKey: ["admin", "alerts", "silences"],
    queryFn: async () =>
      (await fetchJson<{ silences: AlertSilenceView[] }>("/api/admin/alerts/silences")).silences,
  });
