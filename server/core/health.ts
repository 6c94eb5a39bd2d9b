/** Whether the processor is making progress, from what JetStream and Postgres say. Pure. */
export type ProcessorState = "idle" | "progressing" | "stalled" | "unknown";

export interface ProgressFacts {
  /** Messages not yet delivered plus delivered but unacked; null when JetStream cannot be asked. */
  waiting: number | null;
  /** When the oldest waiting message entered the stream (epoch ms); null when unknown. */
  oldestWaitingAt: number | null;
  /** How long ago the consumer's checkpoint last advanced; null before its first commit. */
  checkpointAgeMs: number | null;
  /** False when no processor has ever created its consumer on the stream. */
  consumerExists: boolean;
}

export interface ProcessorProgress {
  state: ProcessorState;
  detail: string;
}

const seconds = (ms: number) => `${Math.round(ms / 1000)} s`;

/**
 * `stalled` when messages wait and neither the oldest of them is younger than `stallAfterMs`
 * nor has the checkpoint advanced within it: a stopped, crashed or wedged processor. A
 * backlog being worked off is `progressing`; nothing waiting is `idle`, however long ago the
 * last commit was.
 */
export function processorProgress(
  facts: ProgressFacts,
  now: number,
  stallAfterMs: number,
): ProcessorProgress {
  if (facts.waiting === null) return { state: "unknown", detail: "JetStream cannot be asked" };
  if (facts.waiting === 0) return { state: "idle", detail: "nothing waiting" };
  const waitingFor = facts.oldestWaitingAt === null ? null : Math.max(0, now - facts.oldestWaitingAt);
  const freshBacklog = waitingFor !== null && waitingFor <= stallAfterMs;
  const recentCommit = facts.checkpointAgeMs !== null && facts.checkpointAgeMs <= stallAfterMs;
  const waiting = `${facts.waiting} messages waiting${waitingFor === null ? "" : ` (oldest ${seconds(waitingFor)})`}`;
  if (freshBacklog || recentCommit) return { state: "progressing", detail: waiting };
  const why = !facts.consumerExists
    ? "no processor has consumed the stream"
    : facts.checkpointAgeMs === null
      ? "no commit yet"
      : `no commit for ${seconds(facts.checkpointAgeMs)}`;
  return { state: "stalled", detail: `${waiting}, ${why}` };
}
