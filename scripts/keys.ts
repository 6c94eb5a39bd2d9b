// `npm run keys -- list | create --name NAME --scope ingest|read|score | revoke ID`: API keys from a
// shell (a new installation's first ingest key, or revoking a leaked one when no admin can
// sign in). Audited as actor "cli"; a revocation is announced to every running web instance.
import { parseArgs } from "node:util";
import { createKey, revokeKey } from "../server/auth/api-key-admin.ts";
import { listApiKeys } from "../server/auth/api-keys.ts";
import { CreateApiKeyRequest } from "../server/contract/auth.ts";
import { openCliSession, runCli } from "./admin-cli.ts";

const USAGE = `usage: npm run keys -- list
       npm run keys -- create --name NAME --scope ingest|read|score   (prints the key once)
       npm run keys -- revoke ID`;

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    args: process.argv.slice(2),
    options: { name: { type: "string" }, scope: { type: "string" } },
    allowPositionals: true,
  });
  const [command, id] = positionals;
  const input = command === "create" ? CreateApiKeyRequest.safeParse(values) : null;
  if (input && !input.success) {
    const issue = input.error.issues[0];
    console.error(`${issue?.path.join(".") || "input"}: ${issue?.message ?? "invalid"}\n${USAGE}`);
    return 2;
  }
  if (!(command === "list" || input?.success || (command === "revoke" && id))) {
    console.error(USAGE);
    return 2;
  }
  const { ctx, prisma, close } = await openCliSession();
  try {
    if (input?.success) {
      const { apiKey, secret } = await createKey(ctx, input.data);
      console.log(
        `created ${apiKey.scope} key "${apiKey.name}" (id ${apiKey.id}); key (shown once): ${secret}`,
      );
    } else if (command === "revoke" && id) {
      const apiKey = await revokeKey(ctx, id);
      if (!apiKey) {
        console.error(`no API key with id ${id}`);
        return 1;
      }
      console.log(`revoked "${apiKey.name}" at ${apiKey.revokedAt ?? "?"}`);
    } else {
      for (const k of await listApiKeys(prisma))
        console.log(
          `${k.id}  ${k.scope.padEnd(6)} ${k.prefix}…  ${k.revokedAt ? "revoked" : "active "}  ${k.name}`,
        );
    }
    return 0;
  } finally {
    await close();
  }
}

runCli(main);
