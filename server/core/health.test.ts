import { describe, expect, it } from "vitest";
import { processorProgress, type ProgressFacts } from "./health";

const NOW = Date.UTC(2026, 11, 2, 12, 0, 0);
const STALL = 30_000;
const facts = (overrides: Partial<ProgressFacts>): ProgressFacts => ({
  waiting: 0,
  oldestWaitingAt: null,
  checkpointAgeMs: 5_000,
  consumerExists: true,
  ...overrides,
});

describe("processorProgress", () => {
  it.each([
    ["JetStream unreachable", { waiting: null }, "unknown", "JetStream cannot be asked"],
    [
      "an idle stream, last commit long ago",
      { waiting: 0, checkpointAgeMs: 3_600_000 },
      "idle",
      "nothing waiting",
    ],
    [
      "a fresh backlog before the first commit",
      { waiting: 10, oldestWaitingAt: NOW - 2_000, checkpointAgeMs: null },
      "progressing",
      "10 messages waiting (oldest 2 s)",
    ],
    [
      "an old backlog worked off (recent commit)",
      { waiting: 500_000, oldestWaitingAt: NOW - 600_000, checkpointAgeMs: 1_000 },
      "progressing",
      "500000 messages waiting (oldest 600 s)",
    ],
    [
      "a stopped processor",
      { waiting: 7, oldestWaitingAt: NOW - 45_000, checkpointAgeMs: 60_000 },
      "stalled",
      "7 messages waiting (oldest 45 s), no commit for 60 s",
    ],
    [
      "messages but never a commit",
      { waiting: 3, oldestWaitingAt: NOW - 31_000, checkpointAgeMs: null },
      "stalled",
      "3 messages waiting (oldest 31 s), no commit yet",
    ],
    [
      "no consumer at all",
      { waiting: 3, oldestWaitingAt: NOW - 31_000, checkpointAgeMs: null, consumerExists: false },
      "stalled",
      "3 messages waiting (oldest 31 s), no processor has consumed the stream",
    ],
    [
      "oldest message unknown and no recent commit",
      { waiting: 3, oldestWaitingAt: null, checkpointAgeMs: 40_000 },
      "stalled",
      "3 messages waiting, no commit for 40 s",
    ],
    [
      "exactly at the threshold is still progressing",
      { waiting: 1, oldestWaitingAt: NOW - STALL, checkpointAgeMs: STALL + 1 },
      "progressing",
      "1 messages waiting (oldest 30 s)",
    ],
  ] as const)("%s → %s", (_name, overrides, state, detail) => {
    expect(processorProgress(facts(overrides), NOW, STALL)).toEqual({ state, detail });
  });
});
