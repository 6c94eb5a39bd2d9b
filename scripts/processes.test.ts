import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
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
    const output = new PassThrough();
    let written = "";
    output.on("data", (chunk: Buffer) => (written += chunk.toString()));
    pipeWithPrefix(input, "[web] ", output);
    input.write("one\ntw");
    input.write("o\r\nthree");
    input.end();
    await new Promise((resolve) => setTimeout(resolve, 20));
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

  it("kills a child that ignores SIGTERM after the grace period", async () => {
    const script = "process.on('SIGTERM', () => {}); console.log('ready'); setInterval(() => {}, 1000);";
    const child = startChild("t", process.execPath, ["-e", script], { env, output: "prefix" });
    await new Promise((resolve) => child.child.stdout?.once("data", resolve));
    const started = Date.now();
    expect(await stopChild(child, 300)).toEqual({ code: null, signal: "SIGKILL" });
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
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
