/**
 * Readers of Linux /proc: memory of one process, CPU time of processes and of the machine.
 * Everything returns undefined (or skips the process) when it has gone away meanwhile.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

export interface MemoryStatus {
  /** Resident set size now, KiB. */
  rssKb: number;
  /** Peak resident set size so far ("high water mark"), KiB, kept by the kernel. */
  hwmKb: number;
}

function kbField(text: string, name: string): number | undefined {
  const match = new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(text);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

export function readMemory(pid: number): MemoryStatus | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/status`, "utf8");
    const rssKb = kbField(text, "VmRSS");
    const hwmKb = kbField(text, "VmHWM");
    return rssKb === undefined || hwmKb === undefined ? undefined : { rssKb, hwmKb };
  } catch {
    return undefined;
  }
}

/** Clock ticks per second of utime/stime (USER_HZ), 100 on practically every Linux. */
export const CLOCK_TICKS: number = (() => {
  try {
    const value = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());
    return Number.isFinite(value) && value > 0 ? value : 100;
  } catch {
    return 100;
  }
})();

/** User + system CPU time of a process, in clock ticks. */
export function readCpuTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may hold spaces; the fields after its closing parenthesis are fixed.
    const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const utime = Number(rest[11]);
    const stime = Number(rest[12]);
    return Number.isFinite(utime) && Number.isFinite(stime) ? utime + stime : undefined;
  } catch {
    return undefined;
  }
}

/** Pids whose command name (/proc/<pid>/comm) equals `name`. */
export function pidsByName(name: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, "utf8").trim() === name) pids.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}

/** Machine-wide CPU ticks since boot: busy (everything but idle and iowait) and total. */
export function readSystemCpu(): { busy: number; total: number } {
  const line = readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "";
  const values = line.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = values.reduce((sum, v) => sum + v, 0);
  const idle = (values[3] ?? 0) + (values[4] ?? 0);
  return { busy: total - idle, total };
}

/** CPU ticks of a group of processes at one moment. */
export type CpuSnapshot = Map<number, number>;

export function snapshotCpu(pids: readonly number[]): CpuSnapshot {
  const snapshot: CpuSnapshot = new Map();
  for (const pid of pids) {
    const ticks = readCpuTicks(pid);
    if (ticks !== undefined) snapshot.set(pid, ticks);
  }
  return snapshot;
}

/**
 * CPU seconds a group used between two snapshots. Processes that started in between count
 * with all their time; processes that ended in between are lost (their last ticks are unknown).
 */
export function cpuSecondsBetween(before: CpuSnapshot, after: CpuSnapshot): number {
  let ticks = 0;
  for (const [pid, end] of after) ticks += end - (before.get(pid) ?? 0);
  return ticks / CLOCK_TICKS;
}
