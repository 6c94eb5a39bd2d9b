/**
 * Runs the real processor (server/processor/main.ts) as a child process so its memory is
 * measured apart from the bench. It is started as `node --import tsx …` rather than through
 * node_modules/.bin/tsx: the tsx CLI is a wrapper that spawns a second node process, and the
 * RSS of the wrapper is not the processor's. The loader and the code run are the same.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { pathToFileURL } from "node:url";
import { readMemory, type MemoryStatus } from "./proc";

export interface MemorySample {
  /** ms since the processor was spawned. */
  t: number;
  rssKb: number;
  hwmKb: number;
}

export interface ProcessorChild {
  pid: number;
  spawnedAt: number;
  samples: MemorySample[];
  /** The highest VmHWM seen (the kernel's peak RSS). */
  peak(): MemoryStatus | undefined;
  /** Last lines the processor wrote (stdout and stderr). */
  output(): string;
  exitCode(): number | null | undefined;
  signal(name: NodeJS.Signals): void;
  /** SIGTERM (the processor's graceful shutdown), SIGKILL after `timeoutMs`. */
  stop(timeoutMs?: number): Promise<number | null>;
}

export interface SpawnOptions {
  root: string;
  env: Record<string, string>;
  /** Extra modules loaded before main.ts (after tsx), e.g. the profiling preload. */
  preload?: string[];
  sampleEveryMs?: number;
}

export function spawnProcessor(options: SpawnOptions): ProcessorChild {
  const args = ["--import", "tsx"];
  for (const file of options.preload ?? []) args.push("--import", pathToFileURL(file).href);
  args.push("server/processor/main.ts");
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: options.root,
    env: { ...process.env, ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error("could not spawn the processor");
  const spawnedAt = Date.now();
  let tail = "";
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString("utf8")).slice(-4000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  let code: number | null | undefined;
  const exited = new Promise<number | null>((resolve) =>
    child.on("exit", (exitCode) => {
      code = exitCode;
      resolve(exitCode);
    }),
  );

  const samples: MemorySample[] = [];
  let peak: MemoryStatus | undefined;
  const sample = () => {
    const memory = readMemory(pid);
    if (!memory) return;
    samples.push({ t: Date.now() - spawnedAt, ...memory });
    if (!peak || memory.hwmKb > peak.hwmKb) peak = memory;
  };
  const sampler = setInterval(sample, options.sampleEveryMs ?? 200);
  sampler.unref();

  return {
    pid,
    spawnedAt,
    samples,
    peak: () => peak,
    output: () => tail,
    exitCode: () => code,
    signal: (name) => {
      if (code === undefined) child.kill(name);
    },
    async stop(timeoutMs = 10_000) {
      sample();
      clearInterval(sampler);
      if (code !== undefined) return code;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
  };
}
