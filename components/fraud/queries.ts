import { queryOptions } from "@tanstack/react-query";
import type {
  BacktestResult,
  DecisionDetail,
  DecisionPage,
  DecisionQuery,
  FraudRuleSetInput,
  FraudRuleSetVersion,
  QualityReport,
} from "../../server/contract/fraud";
import { fetchJson } from "../api-client";

export type QueueFilters = Partial<Pick<DecisionQuery, "decision" | "label" | "rule" | "q">>;

export const queueQuery = (filters: QueueFilters) =>
  queryOptions({
    queryKey: ["fraud", "queue", filters],
    queryFn: () => {
      const params = new URLSearchParams();
      for (const [key, value] of Object.entries(filters)) if (value) params.set(key, value);
      return fetchJson<DecisionPage>(`/api/fraud/decisions?${params.toString()}`);
    },
    refetchInterval: 5_000,
  });

export const decisionQuery = (id: string) =>
  queryOptions({
    queryKey: ["fraud", "decision", id],
    queryFn: () => fetchJson<DecisionDetail>(`/api/fraud/decisions/${encodeURIComponent(id)}`),
  });

export const qualityQuery = (days: number) =>
  queryOptions({
    queryKey: ["fraud", "quality", days],
    queryFn: () => fetchJson<QualityReport>(`/api/fraud/quality?days=${days}`),
    refetchInterval: 10_000,
  });

export const ruleSetsQuery = () =>
  queryOptions({
    queryKey: ["fraud", "rules"],
    queryFn: () =>
      fetchJson<{ current: FraudRuleSetVersion | null; versions: FraudRuleSetVersion[] }>(
        "/api/admin/fraud/rules",
      ),
  });

export const runBacktest = (ruleSet: FraudRuleSetInput, days: number) =>
  fetchJson<BacktestResult>("/api/admin/fraud/backtest", {
    method: "POST",
    body: JSON.stringify({ ruleSet, days }),
  });

export const saveRuleSet = (baseVersion: number, ruleSet: FraudRuleSetInput, note: string) =>
  fetchJson<FraudRuleSetVersion>("/api/admin/fraud/rules", {
    method: "PUT",
    body: JSON.stringify({ baseVersion, ruleSet, note }),
  });

export const labelDecision = (id: string, label: "fraud" | "legitimate", note: string) =>
  fetchJson<unknown>(`/api/fraud/decisions/${encodeURIComponent(id)}/label`, {
    method: "PUT",
    body: JSON.stringify({ label, note }),
  });
