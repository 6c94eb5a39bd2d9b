/**
 * One client process of the score bench: `workers` closed loops (a request starts only when
 * the worker's previous one has been answered) paced together to `rate` requests/s, for
 * `seconds`. Prints one JSON line: latencies (ms), statuses, achieved rate.
 *   tsx bench/score/client.ts URL KEY RATE SECONDS WORKERS CUSTOMERS SEED
 */
import { Agent, request } from "node:http";
import { performance } from "node:perf_hooks";
import { FraudTrafficGenerator } from "../../server/simulator/fraud-traffic";

const [
  url = "",
  key = "",
  rateText = "250",
  secondsText = "10",
  workersText = "16",
  customersText = "20000",
  seedText = "1",
] = process.argv.slice(2);
const rate = Number(rateText);
const seconds = Number(secondsText);
const workers = Number(workersText);
const generator = new FraudTrafficGenerator(Number(seedText), `load${seedText}-${Date.now()}`, {
  customers: Number(customersText),
  incidentRate: 0,
  travel: 0.03,
  newDevice: 0.02,
});

// node:http with keep-alive: the load generator shares the 2 cores with the system under test,
// and costs less CPU per request than fetch.
const agent = new Agent({ keepAlive: true, maxSockets: workers });
const target = new URL(url);

function post(body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      target,
      {
        method: "POST",
        agent,
        headers: {
          authorization: `Bearer ${key}`,
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
        },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

const latencies: number[] = [];
const statuses: Record<string, number> = {};
const interval = 1000 / rate;
const start = performance.now();
const end = start + seconds * 1000;
let nextSlot = start;

async function worker(): Promise<void> {
  for (;;) {
    // Claim the next slot of the shared schedule; a late worker sends at once (closed loop).
    const slot = nextSlot;
    nextSlot += interval;
    // The run lasts `seconds` of wall time: slots a slow server leaves unserved are not sent
    // late, so the achieved rate shows the shortfall.
    if (slot >= end || performance.now() >= end) return;
    const wait = slot - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const body = JSON.stringify(generator.next(Date.now()).event);
    const sent = performance.now();
    try {
      const status = await post(body);
      statuses[status] = (statuses[status] ?? 0) + 1;
    } catch (error) {
      // By kind, so a report can tell a refused connection from a reset or a timeout.
      const code = (error as NodeJS.ErrnoException).code ?? "unknown";
      statuses[`error ${code}`] = (statuses[`error ${code}`] ?? 0) + 1;
    }
    latencies.push(performance.now() - sent);
  }
}

await Promise.all(Array.from({ length: workers }, () => worker()));
const elapsed = (performance.now() - start) / 1000;
agent.destroy();
console.log(JSON.stringify({ latencies, statuses, elapsed }));
