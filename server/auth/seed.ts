import type pg from "pg";
import type { Role } from "../contract/auth";
import type { Auth } from "./auth";
import { generatePassword } from "./users";

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
 * Creates the demo admin and one user per role when they do not exist yet (idempotent). The
 * admin's password comes from `adminPassword` or is generated; the others are generated.
 */
export async function seedUsers(auth: Auth, pool: pg.Pool, adminPassword?: string): Promise<SeededUser[]> {
  const seeded: SeededUser[] = [];
  for (const user of DEMO_USERS) {
    const found = await pool.query(`SELECT 1 FROM users WHERE email = $1`, [user.email]);
    if (found.rowCount) {
      seeded.push({ email: user.email, role: user.role, password: null });
      continue;
    }
    const password = user.role === "admin" && adminPassword ? adminPassword : generatePassword();
    // No headers: a server-side call, allowed by the admin plugin without a session.
    await auth.api.createUser({ body: { email: user.email, name: user.name, password, role: user.role } });
    seeded.push({ email: user.email, role: user.role, password });
  }
  return seeded;
}
