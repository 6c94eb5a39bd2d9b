import { createHmac } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { jetstream, type JetStreamClient } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import type pg from "pg";
import type { AlertRuleSpecInput, MetricDefinition } from "../contract";
import { AlertRuleSpec } from "../contract";
import { createChannel } from "../alerts/channels-admin";
import { createRule } from "../alerts/rules-admin";
import type { AlertAdminContext } from "../alerts/admin-tx";
import { natsNames } from "../config";
import { loadDefinitions } from "../db/metric-definitions";
import { eventSubject } from "../nats/streams";

export const MASTER_SECRET = "alert-test-master-secret-0123456789";
export const CHANNEL_SECRET = "receiver-secret-0123456789";

export interface ReceivedHook {
  headers: IncomingHttpHeaders;
  body: string;
  status: number;
  /** Date.now() when the request's body had arrived. */
  arrivedAt: number;
}

/** A local webhook receiver: answers with `statuses` in turn (then 200), records every request. */
export async function startReceiver(statuses: number[] = []): Promise<{
  url: string;
  received: ReceivedHook[];
  close(): Promise<void>;
}> {
  const received: ReceivedHook[] = [];
  const queue = [...statuses];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const status = queue.shift() ?? 200;
      received.push({
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
        status,
        arrivedAt: Date.now(),
      });
      res.writeHead(status, { "content-type": "text/plain" });
      res.end(status === 200 ? "ok" : "x".repeat(5000));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Checks a received hook's signature the way a receiver would (independent of the sender's code). */
export function validSignature(hook: ReceivedHook, secret = CHANNEL_SECRET): boolean {
  const header = String(hook.headers["x-nowcast-signature"] ?? "");
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
  if (!match) return false;
  const expected = createHmac("sha256", secret).update(`${match[1]}.${hook.body}`).digest("hex");
  return expected === match[2];
}

export function adminContext(prisma: AlertAdminContext["prisma"]): AlertAdminContext {
  return { prisma, actor: { kind: "system", name: "seed" }, masterSecret: MASTER_SECRET };
}

/** A channel to the receiver and a rule on API latency (avg over the open minute > 500 ms). */
export async function seedLatencyRule(
  ctx: AlertAdminContext,
  pool: pg.Pool,
  receiverUrl: string,
  over: Partial<AlertRuleSpecInput> = {},
) {
  const channel = await createChannel(ctx, {
    name: "receiver",
    url: receiverUrl,
    secret: CHANNEL_SECRET,
    enabled: true,
  });
  const defs = new Map(
    (await loadDefinitions(pool)).definitions.map((d): [string, MetricDefinition] => [d.name, d]),
  );
  const spec = AlertRuleSpec.parse({
    name: "API latency",
    severity: "critical",
    subject: { kind: "metric", metric: "api_latency", statistic: "avg" },
    windowMs: 60_000,
    condition: { kind: "threshold", op: ">", threshold: 500 },
    channelIds: [channel.id],
    ...over,
  });
  const rule = await createRule(ctx, spec, defs);
  return { channel, rule };
}

/** Publishes api_request events with these latencies, stamped now. */
export async function publishLatencies(nc: NatsConnection, namespace: string, values: number[], tag: string) {
  const js: JetStreamClient = jetstream(nc);
  let i = 0;
  for (const value of values) {
    const id = `${tag}-${i++}`;
    const body = JSON.stringify({
      id,
      type: "api_request",
      ts: Date.now(),
      value,
      attrs: { route: "/checkout", method: "GET", status: 200 },
    });
    await js.publish(eventSubject(namespace, "api_request"), body, { msgID: id });
  }
}

export function alerterOptions(namespace: string, databaseUrl: string) {
  const names = natsNames(namespace);
  return {
    databaseUrl,
    liveSubject: `${names.liveSubjectPrefix}.events`,
    alertSubject: names.alertSubject,
    outOfOrdernessMs: 5_000,
    tickMs: 500,
    refreshMs: 500,
    maxSlots: 16,
    publicUrl: "http://nowcast.test",
  };
}

export async function transitions(pool: pg.Pool): Promise<string[]> {
  const { rows } = await pool.query<{ t: string }>(
    `SELECT from_state || '>' || to_state AS t FROM alert_events WHERE kind = 'transition' ORDER BY at, seq`,
  );
  return rows.map((r) => r.t);
}
