// `npm run users -- list | reset-password EMAIL`: operations on users from a shell, for when
// the only admin's password is lost. Uses DATABASE_URL like every role.
import pg from "pg";
import { createAuth } from "../server/auth/auth.ts";
import { generatePassword, listUsers } from "../server/auth/users.ts";
import { loadConfig } from "../server/config.ts";
import { loadDotEnv } from "./services.ts";

async function main(): Promise<number> {
  loadDotEnv();
  const [command, email] = process.argv.slice(2);
  const config = loadConfig();
  const pool = new pg.Pool({ connectionString: config.DATABASE_URL, max: 1 });
  try {
    if (command === "list") {
      for (const u of await listUsers(pool))
        console.log(`${u.role.padEnd(8)} ${u.email.padEnd(30)} ${u.disabled ? "disabled" : "active"}`);
      return 0;
    }
    if (command === "reset-password" && email) {
      const user = await pool.query<{ id: string }>(`SELECT id FROM users WHERE email = $1`, [
        email.toLowerCase(),
      ]);
      const id = user.rows[0]?.id;
      if (!id) {
        console.error(`no user with email ${email}`);
        return 1;
      }
      const password = generatePassword();
      const context = await createAuth(pool, { ...config, NODE_ENV: "development" }).$context;
      await pool.query(
        `UPDATE accounts SET password = $2, updated_at = now() WHERE user_id = $1 AND provider_id = 'credential'`,
        [id, await context.password.hash(password)],
      );
      await pool.query(`DELETE FROM sessions WHERE user_id = $1`, [id]);
      console.log(`new password for ${email}: ${password} (all its sessions were signed out)`);
      return 0;
    }
    console.error("usage: npm run users -- list | reset-password EMAIL");
    return 2;
  } finally {
    await pool.end();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);
