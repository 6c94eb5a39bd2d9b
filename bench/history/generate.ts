import { createReadStream, createWriteStream, type WriteStream } from "node:fs";
import { rm } from "node:fs/promises";
import { pipeline } from "node:stream/promises";
import { Readable } from "node:stream";
import type pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import {
  addValue,
  emptyState,
  mergeInto,
  serializeState,
  type AggregateState,
} from "../../server/core/aggregate-state";
import { seededRandom } from "../../server/testing/seeded-random";

/**
 * Benchmark data: `events` api_request events spread over `days` days (diurnal rate), written
 * with COPY, plus the api_latency rollups a real deployment would hold for them — 1m rows as
 * the stream writes them and 1h/1d rows as compaction writes them, all periods 'compacted'.
 * States are computed in Node while generating (same engine code as the processor).
 */
export const BENCH_METRIC = "api_latency";
export const ROUTES = [
  "/api/orders",
  "/api/search",
  "/api/login",
  "/api/items/:id",
  "/api/cart",
  "/api/pay",
  "/api/admin",
  "/api/health",
];
const ROUTE_WEIGHTS = [26, 20, 15, 12, 10, 8, 5, 4];
const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

export interface GenerateOptions {
  events: number;
  days: number;
  /** First day of the data (UTC midnight). */
  start: number;
  seed: number;
  /** Scratch file for the rollup rows (COPY'd after the raw events). */
  rollupFile: string;
  log: (message: string) => void;
}

type GroupStates = Map<string, AggregateState>;

const hex = (bytes: Uint8Array | null) => (bytes ? `\\\\x${Buffer.from(bytes).toString("hex")}` : "\\N");
const num = (value: number | null) => (value === null ? "\\N" : String(value));

function rollupLines(resolution: string, start: number, states: GroupStates): string {
  const at = new Date(start).toISOString();
  let out = "";
  for (const [group, state] of states) {
    const s = serializeState(state);
    out += `${BENCH_METRIC}\t${resolution}\t${at}\t${group}\t${s.count}\t${s.sum}\t${num(s.min)}\t${num(s.max)}\t${hex(s.quantiles)}\t${hex(s.distinct)}\n`;
  }
  return out;
}

function mergeGroups(into: GroupStates, from: GroupStates): void {
  for (const [group, state] of from) {
    let target = into.get(group);
    if (!target) into.set(group, (target = emptyState()));
    mergeInto(target, state);
  }
}

/** Generates everything and streams it into the database; returns what was written. */
export async function generateBenchData(pool: pg.Pool, options: GenerateOptions) {
  const random = seededRandom(options.seed);
  const minutes = options.days * 24 * 60;
  const perMinute = options.events / minutes;
  let rollupRows = 0;
  let written = 0;
  let expected = 0;
  // Rollup rows go to scratch files of at most ~1 GiB each (one file of 4+ GiB failed to
  // close here with a bare system error), then are COPYed after the raw events.
  const parts: string[] = [];
  let part = createWriteStream(nextPart());
  let partBytes = 0;
  function nextPart(): string {
    parts.push(`${options.rollupFile}.${parts.length}`);
    return parts.at(-1) ?? "";
  }
  const endPart = (stream: WriteStream) =>
    new Promise<void>((resolve, reject) =>
      stream.end((error?: Error | null) => (error ? reject(error) : resolve())),
    );
  const ending: Promise<void>[] = [];
  const writeRollups = (text: string) => {
    part.write(text);
    partBytes += text.length;
    if (partBytes > 1 << 30) {
      ending.push(endPart(part));
      part = createWriteStream(nextPart());
      partBytes = 0;
    }
  };
  let hourStates: GroupStates = new Map();
  let dayStates: GroupStates = new Map();

  function* rawChunks(): Generator<string> {
    for (let m = 0; m < minutes; m++) {
      const minuteStart = options.start + m * MINUTE;
      const hourOfDay = (minuteStart / HOUR) % 24;
      // Diurnal traffic between 0.4× and 1.6× the mean rate; the total is exactly `events`.
      const wave = 1 + 0.6 * Math.sin(((hourOfDay - 6) / 24) * 2 * Math.PI);
      expected += perMinute * wave;
      const n = m === minutes - 1 ? options.events - written : Math.max(0, Math.round(expected) - written);
      const states: GroupStates = new Map([["", emptyState()]]);
      let chunk = "";
      for (let i = 0; i < n; i++) {
        const ts = minuteStart + Math.floor(random.next() * MINUTE);
        let roll = random.next() * 100;
        let r = 0;
        while (r < ROUTES.length - 1 && (roll -= ROUTE_WEIGHTS[r] ?? 0) >= 0) r++;
        const route = ROUTES[r] ?? "";
        const latency =
          Math.round(Math.exp(2.5 + r * 0.15 + random.next() * 2 + random.next() * random.next() * 2) * 100) /
          100;
        const status = random.chance(0.03) ? 503 : 200;
        const id = `b${(written + i).toString(36).padStart(8, "0")}`;
        const when = new Date(ts).toISOString();
        chunk += `${id}\tapi_request\t${when}\t${when}\t1\t\\N\t${latency}\t{"route":"${route}","method":"GET","status":${status},"region":"eu-west"}\tf\n`;
        addValue(states.get("") ?? emptyState(), latency);
        let groupState = states.get(route);
        if (!groupState) states.set(route, (groupState = emptyState()));
        addValue(groupState, latency);
      }
      written += n;
      writeRollups(rollupLines("1m", minuteStart, states));
      rollupRows += states.size;
      mergeGroups(hourStates, states);
      if ((minuteStart + MINUTE) % HOUR === 0) {
        writeRollups(rollupLines("1h", minuteStart + MINUTE - HOUR, hourStates));
        rollupRows += hourStates.size;
        mergeGroups(dayStates, hourStates);
        hourStates = new Map();
      }
      if ((minuteStart + MINUTE) % DAY === 0) {
        writeRollups(rollupLines("1d", minuteStart + MINUTE - DAY, dayStates));
        rollupRows += dayStates.size;
        dayStates = new Map();
        options.log(
          `day ${Math.round((m + 1) / 1440)}/${options.days}: ${written.toLocaleString("en-US")} events`,
        );
      }
      yield chunk;
    }
  }

  const client = await pool.connect();
  try {
    const rawStarted = Date.now();
    await pipeline(
      Readable.from(rawChunks()),
      client.query(
        copyFrom("COPY raw_events (id, type, ts, received_at, v, source, value, attrs, too_late) FROM STDIN"),
      ),
    );
    const rawSeconds = (Date.now() - rawStarted) / 1000;
    await Promise.all([...ending, endPart(part)]);
    const rollupStarted = Date.now();
    for (const file of parts) {
      await pipeline(
        createReadStream(file),
        client.query(
          copyFrom(
            "COPY metric_rollups (metric, resolution, bucket_start, group_key, count, sum, min, max, quantiles, distinct_sketch) FROM STDIN",
          ),
        ),
      );
      await rm(file, { force: true });
    }
    await client.query(
      `INSERT INTO rollup_periods (resolution, period_start, status, compacted_at)
       SELECT DISTINCT resolution, bucket_start, 'compacted', now() FROM metric_rollups WHERE resolution IN ('1h', '1d')`,
    );
    const end = new Date(options.start + options.days * DAY);
    await client.query(
      `INSERT INTO consumer_checkpoints (consumer, events_total, max_event_time) VALUES ('bench_history', $1, $2)`,
      [written, end],
    );
    await client.query("ANALYZE raw_events");
    await client.query("ANALYZE metric_rollups");
    return { events: written, rollupRows, rawSeconds, rollupSeconds: (Date.now() - rollupStarted) / 1000 };
  } finally {
    client.release();
  }
}
