import type pg from "pg";
import type { Role } from "../contract/auth";
import type { Auth } from "./auth";
import { AdminError, createUser, findUserId, generatePassword } from "./users";

export interface SeededUser {
  email: string;
  role: Role;
  /** Set only when the user was created now: shown once, stored hashed. */
  password: string | null;
}

export const DEMO_USERS: ReadonlyArray<{ email: string; name: string; role: Role }> = [
  { email: "admin@example.com", name: "Admin", role: "admin" },
  { email: "analyst@example.com", name: "Demo analyst", role: "analyst" },
  { email: "viewer@example.com", name: "Demo viewer", role: "viewer" },
];

/**
 * Creates the demo admin and one user per role when they do not exist yet (idempotent), through
 * the audited verb (actor `seed`). The admin's password comes from `adminPassword` or is
 * generated; the others are generated.
 */
export async function seedUsers(auth: Auth, pool: pg.Pool, adminPassword?: string): Promise<SeededUser[]> {
  const { password: hasher } = await auth.$context;
  const ctx = {
    pool,
    actor: { kind: "system", name: "seed" } as const,
    hashPassword: (password: string) => hasher.hash(password),
    // New users have no sessions or sockets yet, and the seed creates no keys.
    onAccessChanged: () => undefined,
    onKeyRevoked: () => undefined,
  };
  const seeded: SeededUser[] = [];
  for (const user of DEMO_USERS) {
    const password = user.role === "admin" && adminPassword ? adminPassword : generatePassword();
    const created = (await findUserId(pool, user.email))
      ? null
      : await createUser(ctx, { ...user, password }).catch((error: unknown) => {
          // Another process seeded the same user a moment ago: it exists, which is all we want.
          if (error instanceof AdminError && error.code === "conflict") return null;
          throw error;
        });
    seeded.push({ email: user.email, role: user.role, password: created ? password : null });
  }
  return seeded;
}
