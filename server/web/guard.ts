import { loadConfig } from "../config";
import { errorFields } from "../log";
import { apiError } from "./http";
import { getWebServices } from "./services";
import { refuseForgedWrite } from "./write-guard";
import { identify } from "./principal";
import { decide, type AccessRule, type Principal } from "../auth/roles";

export type { AccessRule, ApiKeyScope, Principal, Role } from "../auth/roles";

export type Authorization = { ok: true; principal: Principal } | { ok: false; response: Response };

/**
 * The check every route handler starts with: a state-changing request that is not from this
 * app's own pages is refused first (403 forbidden_origin / 415, write-guard.ts); then 401 when
 * anonymous (or the API key is unknown or revoked), 403 when the caller lacks the role or key
 * scope, 503 when the session store is down.
 */
export async function authorize(request: Request, rule: AccessRule): Promise<Authorization> {
  const forged = refuseForgedWrite(request, loadConfig().NOWCAST_PUBLIC_URL);
  if (forged) return { ok: false, response: forged };
  let identity;
  try {
    identity = await identify(request.headers);
  } catch (error) {
    (await getWebServices().catch(() => null))?.log.error("authorization failed", errorFields(error));
    const what = request.headers.has("authorization")
      ? "API keys cannot be verified"
      : "sign-in is unavailable";
    return { ok: false, response: apiError(503, "unavailable", `${what} right now; retry shortly`) };
  }
  if (identity.kind === "invalid_key")
    return { ok: false, response: apiError(401, "invalid_api_key", "the API key is unknown or revoked") };
  const principal = identity.kind === "principal" ? identity.principal : null;
  const verdict = decide(principal, rule);
  if (verdict === "allowed" && principal) return { ok: true, principal };
  return verdict === "forbidden"
    ? { ok: false, response: apiError(403, "forbidden", forbiddenMessage(rule, principal)) }
    : { ok: false, response: apiError(401, "unauthenticated", unauthenticatedMessage(rule)) };
}

function unauthenticatedMessage(rule: AccessRule): string {
  if (rule.role && rule.apiKey)
    return `sign in, or send an API key of scope '${rule.apiKey}' as Authorization: Bearer`;
  if (rule.apiKey) return `send an API key of scope '${rule.apiKey}' as Authorization: Bearer`;
  return "sign in to use this";
}

function forbiddenMessage(rule: AccessRule, principal: Principal | null): string {
  if (principal?.kind === "api_key")
    return rule.apiKey
      ? `this needs an API key of scope '${rule.apiKey}'; this key has scope '${principal.scope}'`
      : "API keys cannot use this; sign in instead";
  if (!rule.role) return `this needs an API key of scope '${rule.apiKey}'`;
  return `this needs the ${rule.role} role`;
}
