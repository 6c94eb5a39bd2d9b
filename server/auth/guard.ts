// PLACEHOLDER FOR HELPER BRANCHES ONLY. Issue 4 replaces this file with the real
// implementation (better-auth sessions + hashed API keys) when the branches are merged.
// Keep the exported signatures; do not add logic here.

export type Role = "viewer" | "analyst" | "admin";
export type ApiKeyScope = "ingest" | "read";

/** Who is calling: a signed-in user or an API key. */
export interface Principal {
  kind: "user" | "api_key";
  id: string;
  name: string;
  /** For API keys: `analyst` for `read` keys; ingest keys have no role and only pass `apiKey: "ingest"` rules. */
  role: Role | null;
}

/** What a route needs: at least `role` for a session, or an API key of scope `apiKey`. */
export interface AccessRule {
  role?: Role;
  apiKey?: ApiKeyScope;
}

export type Authorization = { ok: true; principal: Principal } | { ok: false; response: Response };

/** Route-handler check: 401 when anonymous, 403 when the caller lacks the role. */
export async function authorize(_request: Request, _rule: AccessRule): Promise<Authorization> {
  return { ok: true, principal: { kind: "user", id: "placeholder", name: "placeholder", role: "admin" } };
}
