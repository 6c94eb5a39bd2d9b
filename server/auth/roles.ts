import { ROLES, type ApiKeyScope, type Role } from "../contract/auth";

export type { ApiKeyScope, Role } from "../contract/auth";

/** Who is calling: a signed-in user or an API key. */
export interface Principal {
  kind: "user" | "api_key";
  id: string;
  /** Email of a user, name of an API key: what the audit log and logs show. */
  name: string;
  /** A user's role; `null` for API keys, which pass only rules that name their scope. */
  role: Role | null;
  /** The scope of an API key; `null` for users. */
  scope: ApiKeyScope | null;
  /** The browser session a user came with (so its sign-out can cut that session's sockets). */
  sessionId?: string;
}

/** What a route needs: at least `role` for a session, or an API key of scope `apiKey`. */
export interface AccessRule {
  role?: Role;
  apiKey?: ApiKeyScope;
}

/** Whether `have` includes everything `need` may do (viewer < analyst < admin). */
export function roleAllows(have: Role, need: Role): boolean {
  return ROLES.indexOf(have) >= ROLES.indexOf(need);
}

export type Verdict = "allowed" | "unauthenticated" | "forbidden";

/** The one access decision used by route handlers, pages and the socket handshake. */
export function decide(principal: Principal | null, rule: AccessRule): Verdict {
  if (!principal) return "unauthenticated";
  if (principal.kind === "api_key")
    return rule.apiKey && principal.scope === rule.apiKey ? "allowed" : "forbidden";
  if (!rule.role || !principal.role) return "forbidden";
  return roleAllows(principal.role, rule.role) ? "allowed" : "forbidden";
}

/** The navigation; each page also checks its role itself (the nav only hides). */
export const NAV_ITEMS: ReadonlyArray<{ href: string; label: string; role: Role }> = [
  { href: "/live", label: "Live", role: "viewer" },
  { href: "/alerts", label: "Alerts", role: "viewer" },
  { href: "/reports", label: "Reports", role: "analyst" },
  { href: "/jobs", label: "Jobs", role: "analyst" },
  { href: "/fraud", label: "Fraud review", role: "analyst" },
  { href: "/admin/users", label: "Users", role: "admin" },
  { href: "/admin/api-keys", label: "API keys", role: "admin" },
  { href: "/admin/alerts", label: "Alert rules", role: "admin" },
  { href: "/admin/fraud", label: "Fraud rules", role: "admin" },
  { href: "/admin/audit", label: "Audit log", role: "admin" },
];

export function navFor(role: Role) {
  return NAV_ITEMS.filter((item) => roleAllows(role, item.role));
}
