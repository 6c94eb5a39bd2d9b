import { queryOptions } from "@tanstack/react-query";
import type { ApiKeyView, AuditPage, AuditQuery, UserView } from "../../server/contract/auth";
import { fetchJson } from "../api-client";

export const usersQuery = () =>
  queryOptions({
    queryKey: ["admin", "users"],
    queryFn: async () => (await fetchJson<{ users: UserView[] }>("/api/admin/users")).users,
  });

export const apiKeysQuery = () =>
  queryOptions({
    queryKey: ["admin", "api-keys"],
    queryFn: async () => (await fetchJson<{ apiKeys: ApiKeyView[] }>("/api/admin/api-keys")).apiKeys,
  });

export type AuditFilters = Partial<Pick<AuditQuery, "actor" | "action" | "target" | "from" | "to">>;

export const auditQuery = (filters: AuditFilters, before: number | null) =>
  queryOptions({
    queryKey: ["admin", "audit", filters, before],
    queryFn: () => {
      const params = new URLSearchParams();
      for (const [key, value] of Object.entries(filters)) if (value) params.set(key, value);
      if (before) params.set("before", String(before));
      return fetchJson<AuditPage>(`/api/admin/audit?${params.toString()}`);
    },
  });

export function formatTime(iso: string | null): string {
  if (!iso) return "never";
  return new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}
