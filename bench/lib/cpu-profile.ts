/**
 * Summarises a V8 CPU profile (.cpuprofile): self time by category and by function, and
 * inclusive (total) time of the processor's own functions. Times are in ms of wall-clock
 * time of the main thread over the recorded window.
 */
import type { Profiler, Runtime } from "node:inspector";
import { round } from "./stats";

export interface TimeShare {
  name: string;
  ms: number;
  /** Share of the recorded window (wall time of the one JS thread). */
  share: number;
}

export interface ProfileSummary {
  windowMs: number;
  idleMs: number;
  categories: TimeShare[];
  topSelf: TimeShare[];
  /** Total time (self + callees) of functions in server/ and of the pg/NATS entry points. */
  inclusive: TimeShare[];
}

function category(frame: Runtime.CallFrame): string {
  const { functionName, url } = frame;
  if (functionName === "(idle)") return "idle";
  if (functionName === "(garbage collector)") return "garbage collector";
  if (functionName === "(program)") return "V8/native (program)";
  if (functionName === "(root)") return "root";
  if (url.includes("/node_modules/zod/")) return "zod (validation)";
  if (/\/node_modules\/(pg|pg-[a-z]+|postgres-[a-z]+)\//.test(url)) return "pg driver (encode/parse)";
  if (url.includes("/node_modules/@nats-io/")) return "NATS client";
  if (url.includes("/node_modules/@datadog/") || url.includes("/node_modules/protobufjs/"))
    return "DDSketch + protobuf";
  if (url.includes("/node_modules/tsx/") || url.includes("/node_modules/esbuild/")) return "tsx loader";
  if (url.includes("/node_modules/")) return "other dependencies";
  if (url.includes("/server/core/hll.ts")) return "HLL sketch";
  if (url.includes("/server/core/aggregate-state.ts")) return "aggregate state (sketch merge/serialize)";
  if (url.includes("/server/core/")) return "core (classify, metric deltas, counts)";
  if (url.includes("/server/contract/")) return "contract (validate)";
  if (url.includes("/server/processor/")) return "processor (decode, batcher, pipeline)";
  if (url.includes("/server/db/")) return "db adapters (column arrays, merge)";
  if (url.includes("/bench/")) return "bench preload (SQL timing)";
  if (url.startsWith("node:")) return "node internals (net, streams, timers)";
  if (url === "") return `builtins (${functionName || "anonymous"})`;
  return "other";
}

function where(frame: Runtime.CallFrame): string {
  const short = frame.url.replace(/^file:\/\//, "").replace(/^.*\/(node_modules|server|bench)\//, "$1/");
  if (!short) return "(native)";
  // tsx-compiled files report line 0 for everything; a line number would mislead there.
  return frame.lineNumber > 0 ? `${short}:${frame.lineNumber + 1}` : short;
}

const label = (frame: Runtime.CallFrame) => `${frame.functionName || "(anonymous)"} ${where(frame)}`;

const INCLUSIVE_OF_INTEREST = (frame: Runtime.CallFrame) =>
  frame.url.includes("/server/") ||
  (frame.url.includes("/node_modules/pg/") && /^(query|prepareValue)$/.test(frame.functionName)) ||
  frame.functionName === "parse" ||
  frame.functionName === "stringify";

export function summarizeProfile(profile: Profiler.Profile, top = 15): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  const selfByNode = new Map<number, number>();
  for (let i = 0; i < samples.length; i++) {
    const id = samples[i];
    // A sample stands for the time until the next one.
    const us = deltas[i + 1] ?? 0;
    if (id !== undefined && us > 0) selfByNode.set(id, (selfByNode.get(id) ?? 0) + us);
  }

  const categories = new Map<string, number>();
  const selfByFunction = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const stackKeys = new Map<number, string[]>();
  const keysOf = (id: number): string[] => {
    const cached = stackKeys.get(id);
    if (cached) return cached;
    const node = byId.get(id);
    const parentId = parent.get(id);
    const above = parentId === undefined ? [] : keysOf(parentId);
    const keys =
      node && INCLUSIVE_OF_INTEREST(node.callFrame) ? [...new Set([...above, label(node.callFrame)])] : above;
    stackKeys.set(id, keys);
    return keys;
  };

  let totalUs = 0;
  for (const [id, us] of selfByNode) {
    const node = byId.get(id);
    if (!node) continue;
    totalUs += us;
    const cat = category(node.callFrame);
    categories.set(cat, (categories.get(cat) ?? 0) + us);
    if (cat !== "idle") {
      const name = label(node.callFrame);
      selfByFunction.set(name, (selfByFunction.get(name) ?? 0) + us);
    }
    for (const key of keysOf(id)) inclusive.set(key, (inclusive.get(key) ?? 0) + us);
  }
  const windowMs = totalUs / 1000;
  const share = (entries: Map<string, number>, limit: number): TimeShare[] =>
    [...entries]
      .sort((a, b) => b[1] - a[1])
      .slice(0, limit)
      .map(([name, us]) => ({ name, ms: round(us / 1000, 1), share: round(us / 1000 / windowMs, 4) }));
  return {
    windowMs: round(windowMs, 1),
    idleMs: round((categories.get("idle") ?? 0) / 1000, 1),
    categories: share(categories, 50),
    topSelf: share(selfByFunction, top),
    inclusive: share(inclusive, top * 2),
  };
}
