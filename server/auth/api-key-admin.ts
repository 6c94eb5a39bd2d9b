import type { ApiKeyView, CreateApiKeyRequest } from "../contract/auth";
import { adminTransaction, type AdminContext } from "./admin-tx";
import { createApiKey, getApiKey } from "./api-keys";
import { recordAudit } from "./audit";

/** Creates a key and its audit row in one transaction; the secret is returned once. */
export async function createKey(
  ctx: AdminContext,
  input: CreateApiKeyRequest,
): Promise<{ apiKey: ApiKeyView; secret: string }> {
  return adminTransaction(ctx, async (tx) => {
    const createdBy = ctx.actor.kind === "user" ? ctx.actor.id : null;
    const { view, secret } = await createApiKey(tx, { ...input, createdBy });
    await recordAudit(tx, ctx.actor, {
      action: "api_key.create",
      targetType: "api_key",
      targetId: view.id,
      targetLabel: view.name,
      before: null,
      after: { name: view.name, scope: view.scope, prefix: view.prefix },
    });
    return { apiKey: view, secret };
  });
}

/**
 * Revokes a key; `null` when there is no such key. Only the request whose UPDATE revoked it
 * writes the audit row, so two admins revoking at once leave one entry. Every web instance is
 * told afterwards (also when it was revoked already: announcing twice is harmless).
 */
export async function revokeKey(ctx: AdminContext, id: string): Promise<ApiKeyView | null> {
  const view = await adminTransaction(ctx, async (tx) => {
    const revoked = await tx.query<{ revoked_at: Date }>(
      `UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL RETURNING revoked_at`,
      [id],
    );
    const current = await getApiKey(tx, id);
    const at = revoked.rows[0]?.revoked_at;
    if (current && at)
      await recordAudit(tx, ctx.actor, {
        action: "api_key.revoke",
        targetType: "api_key",
        targetId: id,
        targetLabel: current.name,
        before: { revokedAt: null },
        after: { revokedAt: at.toISOString() },
      });
    return current;
  });
  if (view) ctx.onKeyRevoked(id);
  return view;
}
