// `npm run users -- list | create EMAIL --role ROLE [--name NAME] | promote EMAIL |
// reset-password EMAIL`: users from a shell — the first admin of a new installation, or an admin
// restored after the last one was lost. Audited as actor "cli"; uses DATABASE_URL and NATS_URL.
import { parseArgs } from "node:util";
import { CreateUserRequest } from "../server/contract/auth.ts";
import { createUser, findUserId, listUsers, resetPassword, updateUser } from "../server/auth/users.ts";
import { openCliSession, runCli, type CliSession } from "./admin-cli.ts";

const USAGE = `usage: npm run users -- list
       npm run users -- create EMAIL --role viewer|analyst|admin [--name NAME]
       npm run users -- promote EMAIL          (make admin and enable)
       npm run users -- reset-password EMAIL   (prints a new password; signs the user out)`;

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    args: process.argv.slice(2),
    options: { role: { type: "string" }, name: { type: "string" } },
    allowPositionals: true,
  });
  const [command, email] = positionals;
  if (command !== "list" && !email) return usage();
  const session = await openCliSession();
  try {
    return await run(session, command, email ?? "", values);
  } finally {
    await session.close();
  }
}

async function run(
  { ctx }: CliSession,
  command: string | undefined,
  email: string,
  flags: { role?: string | undefined; name?: string | undefined },
): Promise<number> {
  if (command === "list") {
    for (const u of await listUsers(ctx.pool))
      console.log(`${u.role.padEnd(8)} ${u.email.padEnd(30)} ${u.disabled ? "disabled" : "active"}`);
    return 0;
  }
  if (command === "create") {
    const input = CreateUserRequest.safeParse({
      email,
      role: flags.role,
      name: flags.name ?? email.split("@")[0],
    });
    if (!input.success) {
      const issue = input.error.issues[0];
      console.error(`${issue?.path.join(".") || "input"}: ${issue?.message ?? "invalid"}\n${USAGE}`);
      return 2;
    }
    const { user, password } = await createUser(ctx, input.data);
    console.log(`created ${user.role} ${user.email}; password (shown once): ${password}`);
    return 0;
  }
  const id = await findUserId(ctx.pool, email);
  if (!id && (command === "promote" || command === "reset-password")) {
    console.error(`no user with email ${email}`);
    return 1;
  }
  if (id && command === "promote") {
    const user = await updateUser(ctx, id, { role: "admin", disabled: false });
    console.log(`${user.email} is now an active admin`);
    return 0;
  }
  if (id && command === "reset-password") {
    const { password } = await resetPassword(ctx, id, undefined);
    console.log(`new password for ${email}: ${password} (all its sessions were signed out)`);
    return 0;
  }
  return usage();
}

function usage(): number {
  console.error(USAGE);
  return 2;
}

runCli(main);
