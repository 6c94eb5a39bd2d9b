import { once } from "node:events";
import { createInterface } from "node:readline";
import { PassThrough, Writable, type Readable } from "node:stream";
import { describe, expect, it, vi } from "vitest";
import {
  describeExit,
  pipeWithPrefix,
  settlesWithin,
  startChild,
  stopChild,
  tsxCommand,
} from "./processes.ts";

describe("pipeWithPrefix", () => {
  it("prefixes every complete line, including one split across chunks and a last unterminated one", async () => {
    const input = new PassThrough();
    let written = "";
    // Collects synchronously: once the input has ended, every line has been written.
    const output = new Writable({
      write(chunk: Buffer, _encoding, done) {
        written += chunk.toString();
        done();
      },
    });
    pipeWithPrefix(input, "[web] ", output);
    const ended = once(input, "end");
    input.write("one\ntw");
    input.write("o\r\nthree");
    input.end();
    await ended;
    expect(written).toBe("[web] one\n[web] two\n[web] three\n");
  });
});

describe("stopChild", () => {
  const env = { ...process.env };

  it("stops a child that handles SIGTERM, with its exit code", async () => {
    const script =
      "process.on('SIGTERM', () => process.exit(7)); console.log('ready'); setInterval(() => {}, 1000);";
    const child = startChild("t", process.execPath, ["-e", script], { env, output: "prefix" });
    await new Promise((resolve) => child.child.stdout?.once("data", resolve));
    expect(await stopChild(child, 2000)).toEqual({ code: 7, signal: null });
  });

  it("kills a child that ignores SIGTERM only once the grace period is over", async () => {
    // The child says when SIGTERM reached it, and answers SIGUSR2 while it lives.
    const script =
      "process.on('SIGTERM', () => console.log('term')); process.on('SIGUSR2', () => console.log('alive'));" +
      " console.log('ready'); setInterval(() => {}, 1000);";
    const child = startChild("t", process.execPath, ["-e", script], { env, output: "prefix" });
    const said = linesOf(child.child.stdout);
    /** The child's next line, or "exited" if it is gone first. */
    const next = () => Promise.race([said.next(), child.exited.then(() => "exited")]);
    expect(await next()).toBe("ready");
    // The grace period runs on a fake clock: only advancing it may end the wait.
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    try {
      const stopped = stopChild(child, 300);
      expect(await next()).toBe("term");
      // Async: also runs what the timers' callbacks start (a kill would be sent before SIGUSR2).
      await vi.advanceTimersByTimeAsync(299);
      try {
        process.kill(child.child.pid ?? 0, "SIGUSR2");
      } catch {
        // already gone: next() says so
      }
      expect(await next()).toBe("alive");
      await vi.advanceTimersByTimeAsync(1);
      expect(await stopped).toEqual({ code: null, signal: "SIGKILL" });
    } finally {
      vi.useRealTimers();
    }
  });

  it("reports a command that cannot start", async () => {
    const child = startChild("t", "/nonexistent/binary", [], { env, output: "prefix" });
    expect(describeExit(await child.exited)).toBe("could not be started");
  });
});

describe("tsxCommand", () => {
  it("runs TypeScript in one node process", () => {
    expect(tsxCommand("server/web/main.ts", ["--rate", "5"])).toEqual([
      process.execPath,
      ["--import", "tsx", "server/web/main.ts", "--rate", "5"],
    ]);
  });
});

describe("settlesWithin", () => {
  it("tells whether a promise settled in time", async () => {
    expect(await settlesWithin(Promise.resolve(1), 1000)).toBe(true);
    expect(await settlesWithin(Promise.reject(new Error("x")), 1000)).toBe(true);
    expect(await settlesWithin(new Promise(() => {}), 20)).toBe(false);
  });
});

/** The lines a stream writes, one at a time, none lost between two waits. */
function linesOf(stream: Readable | null): { next(): Promise<string> } {
  const queued: string[] = [];
  let wake = () => undefined as void;
  createInterface({ input: stream ?? new PassThrough() }).on("line", (line) => {
    queued.push(line);
    wake();
  });
  return {
    async next() {
      while (queued.length === 0) await new Promise<void>((resolve) => (wake = resolve));
      return queued.shift() ?? "";
    },
  };
}
