// PLACEHOLDER FOR HELPER BRANCHES ONLY (see guard.ts).
import type { Principal, Role } from "./guard";

/** Server-component check: redirects anonymous users to /sign-in, renders 403 for a missing role. */
export async function requirePageRole(_role: Role): Promise<Principal> {
  return { kind: "user", id: "placeholder", name: "placeholder", role: "admin" };
}
