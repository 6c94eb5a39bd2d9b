import { parseArgs } from "node:util";
import { jetstream } from "@nats-io/jetstream";
import { z } from "zod";
import { loadConfig } from "../config";
import { createLogger, errorFields } from "../log";
import { connectNats, eventSubject, setupEventStream } from "../nats/streams";
import { TrafficGenerator } from "./generate";
import { DEFAULT_FRAUD_TRAFFIC, FraudTrafficGenerator } from "./fraud-traffic";
import { startScoring } from "./score-client";

const Args = z.object({
  rate: z.coerce.number().positive().max(100_000).default(50),
  duration: z.coerce.number().min(0).default(0),
  seed: z.coerce
    .number()
    .int()
    .default(() => Date.now() % 1_000_000),
  incidents: z.boolean().default(false),
  "score-url": z.url().optional(),
  "tx-rate": z.coerce.number().positive().max(10_000).default(3),
});

const USAGE =
  "usage: npm run simulate -- [--rate EVENTS_PER_S] [--duration SECONDS (0 = until Ctrl-C)] [--seed N] [--incidents]\n" +
  "         [--score-url URL/api/transactions/score --tx-rate TX_PER_S]  (needs NOWCAST_SIMULATOR_SCORE_KEY)";

/** Publishes simulated traffic straight to JetStream, as producers may (DESIGN.md, "Data flow"). */
async function main() {
  const { values } = parseArgs({
    options: {
      rate: { type: "string" },
      duration: { type: "string" },
      seed: { type: "string" },
      incidents: { type: "boolean" },
      "score-url": { type: "string" },
      "tx-rate": { type: "string" },
    },
  });
  const parsed = Args.safeParse(values);
  if (!parsed.success) {
    console.error(
      `${parsed.error.issues.map((i) => `--${i.path.join(".")}: ${i.message}`).join("\n")}\n${USAGE}`,
    );
    process.exit(2);
  }
  const args = parsed.data;
  const config = loadConfig();
  const log = createLogger("simulator", config.LOG_LEVEL);
  const nc = await connectNats(config.NATS_URL, "nowcast-simulator");
  await setupEventStream(nc, {
    namespace: config.NOWCAST_NAMESPACE,
    dedupWindowSeconds: config.NOWCAST_DEDUP_WINDOW_S,
  });
  const js = jetstream(nc);
  const scoreUrl = args["score-url"];
  if (scoreUrl && !config.NOWCAST_SIMULATOR_SCORE_KEY) {
    console.error(`--score-url needs NOWCAST_SIMULATOR_SCORE_KEY (a score API key)\n${USAGE}`);
    process.exit(2);
  }
  // With a scoring URL, card transactions go through the scoring API (which ingests them with
  // their decision) instead of straight to the stream; the rest of the traffic is unchanged.
  const scoring =
    scoreUrl && config.NOWCAST_SIMULATOR_SCORE_KEY
      ? startScoring(
          new FraudTrafficGenerator(args.seed, `fsim${args.seed}`, {
            ...DEFAULT_FRAUD_TRAFFIC,
            customers: 20_000,
            // Fraud is rare; the demo shows more of it so the review queue fills within minutes.
            incidentRate: 0.01,
          }),
          {
            url: scoreUrl,
            apiKey: config.NOWCAST_SIMULATOR_SCORE_KEY,
            rate: args["tx-rate"],
            maxInFlight: 50,
            retryShare: 0.01,
          },
          log,
        )
      : null;
  const generator = new TrafficGenerator(args.seed, `sim${args.seed}`, undefined, args.incidents);
  const counts = { valid: 0, duplicate: 0, malformed: 0, dedupedByStream: 0, failed: 0 };
  const inFlight = new Set<Promise<void>>();
  const started = Date.now();
  let stopping = false;
  let owed = 0;

  const tickMs = 100;
  const timer = setInterval(() => {
    if (stopping) return;
    owed += (args.rate * tickMs) / 1000;
    // Bounded: skip sending while 5000 publishes are unacknowledged rather than queue forever.
    for (; owed >= 1 && inFlight.size < 5000; owed -= 1) {
      const message = generator.next(Date.now());
      if (scoring && message.type === "transaction") continue;
      counts[message.kind] += 1;
      const publish = js
        .publish(eventSubject(config.NOWCAST_NAMESPACE, message.type), message.body, { msgID: message.msgId })
        .then((ack) => void (ack.duplicate && (counts.dedupedByStream += 1)))
        .catch(() => void (counts.failed += 1))
        .finally(() => inFlight.delete(publish));
      inFlight.add(publish);
    }
    if (args.duration > 0 && Date.now() - started >= args.duration * 1000) void stop("duration reached");
  }, tickMs);
  const report = setInterval(() => log.info("sent", counts), 10_000);

  const stop = async (reason: string) => {
    if (stopping) return;
    stopping = true;
    clearInterval(timer);
    clearInterval(report);
    await Promise.allSettled(inFlight);
    await scoring?.stop();
    log.info(`stopped (${reason})`, counts);
    await nc.drain().catch(() => undefined);
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
  log.info("simulating", { rate: args.rate, duration: args.duration || "until stopped", seed: args.seed });
}

main().catch((error: unknown) => {
  createLogger("simulator").error("failed", errorFields(error));
  process.exit(1);
});
