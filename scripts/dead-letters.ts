// `npm run dead-letters -- list|show|redrive [filters]`: inspect rejected inputs (`show` writes
// a letter's exact bytes to stdout) and re-drive them after a contract fix. Re-driven events go
// through the normal pipeline (exactly once).
import { parseArgs } from "node:util";
import { jetstream } from "@nats-io/jetstream";
import { z } from "zod";
import { loadConfig } from "../server/config.ts";
import { oldestCountedTime } from "../server/core/counted-window.ts";
import { createDbClients } from "../server/db/clients.ts";
import {
  letterBytes,
  markRedriven,
  redrive,
  selectDeadLetters,
  type DeadLetterRow,
} from "../server/dead-letters/redrive.ts";
import { connectNats, eventSubject } from "../server/nats/streams.ts";

const USAGE = `usage: npm run dead-letters -- <list|redrive> [--reason CODE] [--source http|nats]
       [--since ISO-TIME] [--id N ...] [--limit N (default 100)] [--all (include re-driven)]
       npm run dead-letters -- show --id N   (the exact bytes received, to stdout)`;

const Args = z.object({
  command: z.enum(["list", "show", "redrive"]),
  reason: z.string().optional(),
  source: z.enum(["http", "nats"]).optional(),
  since: z.coerce.date().optional(),
  id: z.array(z.coerce.number().int().positive()).optional(),
  limit: z.coerce.number().int().min(1).max(100_000).default(100),
  all: z.boolean().default(false),
});

/** True when only the first bytes of an oversize payload were kept. */
const cut = (l: DeadLetterRow) => l.payloadSize !== null && (l.payloadBytes?.byteLength ?? 0) < l.payloadSize;

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      reason: { type: "string" },
      source: { type: "string" },
      since: { type: "string" },
      id: { type: "string", multiple: true },
      limit: { type: "string" },
      all: { type: "boolean" },
    },
  });
  const parsed = Args.safeParse({ ...values, command: positionals[0] });
  if (!parsed.success) {
    console.error(
      `${parsed.error.issues.map((i) => `${i.path.join(".") || "command"}: ${i.message}`).join("\n")}\n${USAGE}`,
    );
    return 2;
  }
  const args = parsed.data;
  const config = loadConfig();
  const db = createDbClients(config.DATABASE_URL, { max: 2, appName: "nowcast-dead-letters" });
  try {
    const letters = await selectDeadLetters(db.pool, {
      ...(args.id ? { ids: args.id } : {}),
      ...(args.reason ? { reason: args.reason } : {}),
      ...(args.source ? { source: args.source } : {}),
      ...(args.since ? { since: args.since } : {}),
      limit: args.limit,
      includeRedriven: args.all,
    });
    if (args.command === "show") {
      const [letter] = letters;
      if (!letter || letters.length !== 1 || !args.id) {
        console.error(`show needs the --id of one dead letter\n${USAGE}`);
        return 2;
      }
      process.stdout.write(letterBytes(letter));
      return 0;
    }
    if (args.command === "list") {
      for (const l of letters) {
        const reasons = l.reasons.map((r) => `${r.code}@${r.path || "-"}`).join(",");
        const size = l.payloadSize === null ? "-" : `${l.payloadSize}B${cut(l) ? " (cut)" : ""}`;
        console.log(
          `${l.id}\t${l.receivedAt.toISOString()}\t${l.source}\t${l.eventId ?? "-"}\t${reasons}\t${size}\t${l.redrivenAt ? "redriven" : ""}`,
        );
      }
      console.log(`${letters.length} dead letter(s)`);
      return 0;
    }
    const nc = await connectNats(config.NATS_URL, "nowcast-dead-letters");
    const js = jetstream(nc);
    const outcome = await redrive(
      {
        publish: async (type, id, payload) => ({
          duplicate: (await js.publish(eventSubject(config.NOWCAST_NAMESPACE, type), payload, { msgID: id }))
            .duplicate,
        }),
        markRedriven: (id) => markRedriven(db.pool, id),
        now: Date.now,
        rules: (now) => ({ oldestCountedTs: oldestCountedTime(now, config.RECONCILE_WINDOW_DAYS) }),
      },
      letters,
    );
    await nc.drain();
    for (const r of outcome.stillInvalid) {
      console.log(`${r.id}\tstill invalid: ${r.reasons.map((x) => `${x.code} (${x.message})`).join("; ")}`);
    }
    console.log(`re-driven ${outcome.redriven.length}, still invalid ${outcome.stillInvalid.length}`);
    return 0;
  } finally {
    await db.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
