// `npm run jobs -- <reconcile|compact-hour|compact-day> <ISO period start> | plan | retention`:
// enqueues a scheduler job by hand (a running scheduler executes it; it shows on /jobs).
import pg from "pg";
import { PgBoss } from "pg-boss";
import { z } from "zod";
import { loadConfig, natsNames } from "../server/config.ts";
import { HOUR_MS, DAY_MS } from "../server/core/periods.ts";
import { FIRST_SUPPORTED_VERSION, installedVersion } from "../server/scheduler/boss-schema.ts";
import { QUEUES } from "../server/scheduler/queues.ts";

const USAGE = `usage: npm run jobs -- reconcile <hour, e.g. 2026-11-20T14:00:00Z>
       npm run jobs -- compact-hour <hour> | compact-day <day, e.g. 2026-11-20>
       npm run jobs -- plan | retention`;

const Args = z.discriminatedUnion("command", [
  z.object({ command: z.enum(["reconcile", "compact-hour", "compact-day"]), start: z.coerce.date() }),
  z.object({ command: z.enum(["plan", "retention"]) }),
]);

const QUEUE = {
  reconcile: QUEUES.reconcileHour,
  "compact-hour": QUEUES.compactHour,
  "compact-day": QUEUES.compactDay,
  plan: QUEUES.plan,
  retention: QUEUES.retention,
} as const;

async function main(): Promise<number> {
  const [command, start] = process.argv.slice(2);
  const parsed = Args.safeParse({ command, start });
  if (!parsed.success) {
    console.error(
      `${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("\n")}\n${USAGE}`,
    );
    return 2;
  }
  const args = parsed.data;
  const config = loadConfig();
  const schema = natsNames(config.NOWCAST_NAMESPACE).bossSchema;
  const version = await bossVersion(config.DATABASE_URL, schema);
  if (version !== null && version < FIRST_SUPPORTED_VERSION) {
    console.error(
      `${schema} is still pg-boss 10's schema (version ${version}): start the scheduler once ` +
        "(npm run start:scheduler), which moves its waiting jobs to pg-boss 12, then enqueue again",
    );
    return 1;
  }
  const boss = new PgBoss({
    connectionString: config.DATABASE_URL,
    schema,
    supervise: false,
    schedule: false,
    max: 1,
  });
  await boss.start();
  try {
    let data: object = {};
    let key: string = args.command;
    if ("start" in args) {
      const size = args.command === "compact-day" ? DAY_MS : HOUR_MS;
      const aligned = Math.floor(args.start.getTime() / size) * size;
      key = new Date(aligned).toISOString();
      data = { start: key };
    }
    const id = await boss.send(QUEUE[args.command], data, { singletonKey: key });
    console.log(
      id
        ? `enqueued ${QUEUE[args.command]} ${key} as job ${id}`
        : `already waiting: ${QUEUE[args.command]} ${key}`,
    );
    return 0;
  } finally {
    await boss.stop({ graceful: false });
  }
}

async function bossVersion(databaseUrl: string, schema: string): Promise<number | null> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return await installedVersion(client, schema);
  } finally {
    await client.end();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);
