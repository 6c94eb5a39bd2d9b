import { z } from "zod";
import { parseRfc3339 } from "./event-time";

/** Roles, least to most powerful: each includes what the ones before it may do. */
export const ROLES = ["viewer", "analyst", "admin"] as const;
export const Role = z.enum(ROLES);
export type Role = z.infer<typeof Role>;

/**
 * `ingest` keys may only send events; `read` keys may read metrics and history; `score` keys may
 * only ask for fraud decisions (POST /api/transactions/score).
 */
export const ApiKeyScope = z.enum(["ingest", "read", "score"]);
export type ApiKeyScope = z.infer<typeof ApiKeyScope>;

const Email = z
  .email("must be an email address")
  .max(254)
  .transform((e) => e.toLowerCase());
const Name = z.string().trim().min(1, "must not be empty").max(100);
/** Admin-chosen passwords; generated ones are longer. */
export const Password = z.string().min(12, "must be at least 12 characters").max(128);

/** `POST /api/admin/users`: without a password one is generated and shown once. */
export const CreateUserRequest = z.object({
  name: Name,
  email: Email,
  role: Role,
  password: Password.optional(),
});
export type CreateUserRequest = z.infer<typeof CreateUserRequest>;

/** `PATCH /api/admin/users/{id}`: change the role and/or disable (revokes sessions at once). */
export const UpdateUserRequest = z
  .object({ role: Role.optional(), disabled: z.boolean().optional() })
  .refine((v) => v.role !== undefined || v.disabled !== undefined, "send role and/or disabled");
export type UpdateUserRequest = z.infer<typeof UpdateUserRequest>;

export const ResetPasswordRequest = z.object({ password: Password.optional() });
export type ResetPasswordRequest = z.infer<typeof ResetPasswordRequest>;

export const UserView = z.object({
  id: z.string(),
  name: z.string(),
  email: z.string(),
  role: Role,
  disabled: z.boolean(),
  createdAt: z.string(),
  lastSeenAt: z.string().nullable(),
});
export type UserView = z.infer<typeof UserView>;

/** A user with the password that was set, returned once (create, reset). */
export const UserWithPassword = z.object({ user: UserView, password: z.string() });
export type UserWithPassword = z.infer<typeof UserWithPassword>;

export const CreateApiKeyRequest = z.object({ name: Name, scope: ApiKeyScope });
export type CreateApiKeyRequest = z.infer<typeof CreateApiKeyRequest>;

export const ApiKeyView = z.object({
  id: z.string(),
  name: z.string(),
  scope: ApiKeyScope,
  prefix: z.string(),
  createdBy: z.string().nullable(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
export type ApiKeyView = z.infer<typeof ApiKeyView>;

/** The secret is in this answer only; the server keeps its SHA-256. */
export const CreatedApiKey = z.object({ apiKey: ApiKeyView, secret: z.string() });
export type CreatedApiKey = z.infer<typeof CreatedApiKey>;

export const AUDIT_ACTIONS = [
  "user.create",
  "user.role",
  "user.disable",
  "user.enable",
  "user.password_reset",
  "api_key.create",
  "api_key.revoke",
  "alert_rule.create",
  "alert_rule.update",
  "alert_rule.delete",
  "alert_channel.create",
  "alert_channel.update",
  "alert_channel.delete",
  "alert_silence.create",
  "alert_silence.delete",
  "fraud.rules_save",
  "fraud.label",
] as const;
export const AuditAction = z.enum(AUDIT_ACTIONS);
export type AuditAction = z.infer<typeof AuditAction>;

export const AuditEntryView = z.object({
  id: z.string(),
  at: z.string(),
  actorEmail: z.string(),
  action: AuditAction,
  targetType: z.string(),
  targetId: z.string(),
  targetLabel: z.string(),
  before: z.unknown(),
  after: z.unknown(),
});
export type AuditEntryView = z.infer<typeof AuditEntryView>;

// An RFC 3339 time whose fields all exist: Postgres refuses 2026-02-30 (that was a 500).
const AuditTime = z.iso
  .datetime({ offset: true })
  .refine((text) => parseRfc3339(text).ok, "is not a time that exists (check day, hour and offset)");

/** `GET /api/admin/audit` filters; `before` pages backwards by entry id. */
export const AuditQuery = z.object({
  actor: z.string().trim().max(254).optional(),
  action: AuditAction.optional(),
  target: z.string().trim().max(200).optional(),
  from: AuditTime.optional(),
  to: AuditTime.optional(),
  before: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type AuditQuery = z.infer<typeof AuditQuery>;

export const AuditPage = z.object({ entries: z.array(AuditEntryView), nextBefore: z.number().nullable() });
export type AuditPage = z.infer<typeof AuditPage>;

/** What the signed-in browser may know about itself. */
export const Me = z.object({ id: z.string(), name: z.string(), email: z.string(), role: Role });
export type Me = z.infer<typeof Me>;

/**
 * Announced on core NATS (`<ns>.live.auth.revoked`) when access ends: a user's (disabled, new
 * role, new password), one session's (sign-out, expiry), or an API key's. Every web instance
 * cuts the matching sockets and forgets cached key verifications.
 */
export const Revocation = z.union([
  z.strictObject({ userId: z.string().min(1) }),
  z.strictObject({ sessionId: z.string().min(1) }),
  z.strictObject({ apiKeyId: z.string().min(1) }),
]);
export type Revocation = z.infer<typeof Revocation>;
