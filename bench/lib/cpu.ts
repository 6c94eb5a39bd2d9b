/**
 * CPU accounting of a bench stage from /proc: the process doing the stage's work (the
 * "subject": the bench itself for (a) and (b), the processor for (c)), the Postgres backends
 * of the bench database, all of Postgres, nats-server, and the whole machine. What the machine
 * did beyond these is "others": work of other people on this shared box, which depresses
 * every rate. CPU per event is far less sensitive to that noise than events per second.
 */
import { cpuSecondsBetween, pidsByName, readSystemCpu, snapshotCpu, type CpuSnapshot } from "./proc";
import { round } from "./stats";

/** CPU used during a window, in cores (CPU seconds per second of wall time). */
export interface CpuUse {
  windowSeconds: number;
  subject: number;
  /** The Postgres backends connected to the bench's database. */
  postgresBackends: number;
  /** Every postgres process of the cluster (WAL writer, checkpointer, other databases' work). */
  postgresAll: number;
  natsServer: number;
  /** The bench process (0 when it is the subject; then it is counted there). */
  bench: number;
  /** Whole machine, all processes. */
  machine: number;
  /** machine − (subject + all postgres + nats-server + bench): other work on the box. */
  others: number;
  /** CPU ms of subject + its Postgres backends + nats-server per 1000 events. */
  cpuMsPer1kEvents: number | null;
}

export interface CpuMark {
  at: number;
  subjectPid: number;
  subject: CpuSnapshot;
  backends: CpuSnapshot;
  postgres: CpuSnapshot;
  nats: CpuSnapshot;
  bench: NodeJS.CpuUsage;
  machine: { busy: number; total: number };
}

export function markCpu(subjectPid: number, backendPids: readonly number[]): CpuMark {
  return {
    at: performance.now(),
    subjectPid,
    subject: snapshotCpu([subjectPid]),
    backends: snapshotCpu(backendPids),
    postgres: snapshotCpu(pidsByName("postgres")),
    nats: snapshotCpu(pidsByName("nats-server")),
    bench: process.cpuUsage(),
    machine: readSystemCpu(),
  };
}

export function cpuBetween(start: CpuMark, end: CpuMark, cpus: number, events?: number): CpuUse {
  const seconds = (end.at - start.at) / 1000;
  const subject = cpuSecondsBetween(start.subject, end.subject);
  const backends = cpuSecondsBetween(start.backends, end.backends);
  const postgres = cpuSecondsBetween(start.postgres, end.postgres);
  const nats = cpuSecondsBetween(start.nats, end.nats);
  const benchUsage = process.cpuUsage(start.bench);
  const bench = start.subjectPid === process.pid ? 0 : (benchUsage.user + benchUsage.system) / 1e6;
  const machineTicks = end.machine.total - start.machine.total;
  const machine =
    machineTicks > 0 ? ((end.machine.busy - start.machine.busy) / machineTicks) * cpus * seconds : 0;
  const cores = (cpuSeconds: number) => (seconds > 0 ? round(cpuSeconds / seconds, 2) : 0);
  return {
    windowSeconds: round(seconds, 2),
    subject: cores(subject),
    postgresBackends: cores(backends),
    postgresAll: cores(postgres),
    natsServer: cores(nats),
    bench: cores(bench),
    machine: cores(machine),
    others: cores(Math.max(0, machine - subject - postgres - nats - bench)),
    cpuMsPer1kEvents: events ? round(((subject + backends + nats) * 1e6) / events, 1) : null,
  };
}

/** Runs `work` and returns its result with the CPU used meanwhile. */
export async function withCpu<T>(
  subjectPid: number,
  backendPids: () => Promise<number[]>,
  cpus: number,
  work: () => Promise<T>,
  events: (result: T) => number,
): Promise<{ result: T; cpu: CpuUse }> {
  const before = await backendPids();
  const start = markCpu(subjectPid, before);
  const result = await work();
  const after = [...new Set([...before, ...(await backendPids())])];
  const end = markCpu(subjectPid, after);
  return { result, cpu: cpuBetween(start, end, cpus, events(result)) };
}
