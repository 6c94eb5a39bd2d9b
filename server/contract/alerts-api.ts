import { z } from "zod";
import { AlertRuleSpec, AlertState, AlertSubject, Severity } from "./alerts";
import { BucketState } from "./live";

/** One alert instance (rule × group) as `/api/alerts` lists it. */
export const AlertInstanceView = z.object({
  ruleId: z.string(),
  ruleName: z.string(),
  severity: Severity,
  group: z.string(),
  state: AlertState,
  since: z.string(),
  value: z.number().nullable(),
  threshold: z.number(),
  unit: z.string(),
  acknowledged: z.object({ by: z.string(), note: z.string(), at: z.string() }).nullable(),
  silenced: z.boolean(),
  reason: z.string().nullable(),
  /** The value at the last window positions (oldest first). */
  trail: z.array(z.object({ t: z.number(), v: z.number().nullable() })),
});
export type AlertInstanceView = z.infer<typeof AlertInstanceView>;

/** One stored transition (or repeat / acknowledgement). */
export const AlertEventView = z.object({
  id: z.string(),
  ruleId: z.string(),
  ruleName: z.string(),
  group: z.string(),
  at: z.string(),
  kind: z.enum(["transition", "repeat", "acknowledge"]),
  from: AlertState,
  to: AlertState,
  value: z.number().nullable(),
  threshold: z.number().nullable(),
  reason: z.string().nullable(),
  silenced: z.boolean(),
  buckets: z.array(z.object({ start: z.number(), state: BucketState })),
});
export type AlertEventView = z.infer<typeof AlertEventView>;

/** What a viewer may know of an enabled rule: enough to draw its lines on the live charts. */
export const AlertRuleSummary = z.object({
  id: z.string(),
  name: z.string(),
  subject: AlertSubject,
  groupBy: z.string().nullable(),
  threshold: z.number(),
  recoveryThreshold: z.number().nullable(),
});
export type AlertRuleSummary = z.infer<typeof AlertRuleSummary>;

export const AlertsResponse = z.object({
  instances: z.array(AlertInstanceView),
  events: z.array(AlertEventView),
  rules: z.array(AlertRuleSummary),
});
export type AlertsResponse = z.infer<typeof AlertsResponse>;

export const AcknowledgeRequest = z.strictObject({
  ruleId: z.string().min(1).max(64),
  group: z.string().max(200).default(""),
  note: z.string().trim().min(1, "write what you are doing about it").max(500),
});
export type AcknowledgeRequest = z.infer<typeof AcknowledgeRequest>;

/** The back-test: a rule spec (saved or not) over a past range, default the last 7 days. */
export const BacktestRequest = z.strictObject({
  spec: AlertRuleSpec,
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
});
export type BacktestRequest = z.infer<typeof BacktestRequest>;

export const BacktestResponse = z.object({
  from: z.number(),
  to: z.number(),
  fired: z.number().int(),
  notifications: z.number().int(),
  firingMs: z.number(),
  bands: z.array(z.object({ group: z.string(), from: z.number(), to: z.number().nullable() })),
  points: z.array(z.object({ t: z.number(), value: z.number().nullable() })),
  shownGroup: z.string(),
  threshold: z.number(),
  recoveryThreshold: z.number().nullable(),
  overflow: z.array(z.string()),
});
export type BacktestResponse = z.infer<typeof BacktestResponse>;

export const AlertDeliveryView = z.object({
  id: z.string(),
  channelId: z.string(),
  eventId: z.string().nullable(),
  status: z.enum(["pending", "queued", "retrying", "succeeded", "failed"]),
  attempts: z.number().int(),
  lastStatusCode: z.number().int().nullable(),
  lastError: z.string().nullable(),
  responseExcerpt: z.string().nullable(),
  createdAt: z.string(),
  deliveredAt: z.string().nullable(),
  summary: z.string(),
});
export type AlertDeliveryView = z.infer<typeof AlertDeliveryView>;

/** The webhook body (DESIGN.md "Alerting"); signed, with `Idempotency-Key: <transition id>`. */
export const WebhookPayload = z.object({
  rule: z.object({ id: z.string(), name: z.string(), severity: Severity, version: z.number().int() }),
  instance: z.string(),
  group: z.string(),
  state: AlertState,
  previous: AlertState,
  value: z.number().nullable(),
  threshold: z.number().nullable(),
  at: z.string(),
  url: z.string(),
  kind: z.enum(["transition", "repeat", "test"]),
});
export type WebhookPayload = z.infer<typeof WebhookPayload>;

/** What the alerter publishes on `<ns>.live.alerts` after each stored transition (alert bar, toasts). */
export const AlertNotice = z.object({
  ruleId: z.string(),
  ruleName: z.string(),
  severity: Severity,
  group: z.string(),
  from: AlertState,
  to: AlertState,
  value: z.number().nullable(),
  at: z.number(),
});
export type AlertNotice = z.infer<typeof AlertNotice>;
