/**
 * Child process of the fan-out bench: opens N Socket.IO clients against the web role, each
 * holding the same subscriptions as a dashboard tile pair (the probe metric and API requests
 * by route). Reads "start"/"stop" lines on stdin and prints one JSON result line on stop.
 *
 * Latency: the bench publishes probe events whose value is their event time; a client that
 * receives an update in which the newest probe time grew records receive time − that time.
 */
import { createInterface } from "node:readline";
import { io, type Socket } from "socket.io-client";
import type { ClientToServerEvents, LiveSubscribeAck, ServerToClientEvents } from "../../server/contract";

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;
const [url = "", countText = "1000", probeMetric = "bench_probe"] = process.argv.slice(2);
// A viewer's session cookie: the web role refuses anonymous sockets.
const cookie = process.env.NOWCAST_BENCH_COOKIE ?? "";
const count = Number(countText);
const PROBE = `${probeMetric}|10s|`;
const SUBSCRIPTIONS = [
  { metric: probeMetric, resolution: "10s" },
  { metric: "api_requests", resolution: "10s", groupBy: "route" },
];

let measuring = false;
let updates = 0;
let refused = 0;
let disconnects = 0;
const latencies: number[] = [];
let startedAt = 0;

function open(): Promise<Client> {
  return new Promise((resolve, reject) => {
    const client: Client = io(url, {
      path: "/socket.io",
      transports: ["websocket"],
      reconnection: true,
      extraHeaders: { cookie },
    });
    let newestProbe = 0;
    client.on("live:update", (update) => {
      if (!measuring) return;
      updates++;
      if (update.subscription !== PROBE) return;
      let newest = 0;
      for (const bucket of update.buckets) newest = Math.max(newest, bucket.summary.max ?? 0);
      if (newest > newestProbe) {
        if (newestProbe > 0) latencies.push(Date.now() - newest);
        newestProbe = newest;
      }
    });
    client.on("disconnect", () => disconnects++);
    client.once("connect_error", reject);
    client.once("connect", async () => {
      for (const request of SUBSCRIPTIONS) {
        const ack = await new Promise<LiveSubscribeAck>((done) =>
          client.emit("live:subscribe", request, done),
        );
        if (!ack.ok) refused++;
        else if (request.metric === probeMetric)
          newestProbe = Math.max(0, ...ack.snapshot.buckets.map((b) => b.summary.max ?? 0));
      }
      resolve(client);
    });
  });
}

async function main() {
  const clients: Client[] = [];
  for (let i = 0; i < count; i += 50) {
    const batch = await Promise.all(Array.from({ length: Math.min(50, count - i) }, () => open()));
    clients.push(...batch);
  }
  console.log(JSON.stringify({ ready: clients.length, refused }));
  for await (const line of createInterface({ input: process.stdin })) {
    if (line === "start") {
      measuring = true;
      startedAt = Date.now();
    } else if (line === "stop") {
      measuring = false;
      const seconds = (Date.now() - startedAt) / 1000;
      latencies.sort((a, b) => a - b);
      const at = (q: number) =>
        latencies[Math.min(latencies.length - 1, Math.max(0, Math.ceil(q * latencies.length) - 1))] ?? null;
      console.log(
        JSON.stringify({
          clients: clients.length,
          connectedAtEnd: clients.filter((c) => c.connected).length,
          refused,
          disconnects,
          seconds,
          updates,
          updatesPerSecond: updates / seconds,
          cpuSeconds: process.cpuUsage().user / 1e6 + process.cpuUsage().system / 1e6,
          latencySamples: latencies.length,
          p50Ms: at(0.5),
          p90Ms: at(0.9),
          p99Ms: at(0.99),
          maxMs: latencies.at(-1) ?? null,
          latencies,
        }),
      );
      for (const client of clients) client.close();
      process.exit(0);
    }
  }
}

main().catch((error: unknown) => {
  console.error(String(error));
  process.exit(1);
});
