import { describe, expect, it } from "vitest";
import type { DriftView, JobRunView } from "../../server/contract";
import { driftByHour, formatDuration, formatUtc, runTotals } from "./jobs-model";

describe("formatDuration", () => {
  it.each([
    [null, "running"],
    [0, "0 ms"],
    [849.6, "850 ms"],
    [12_345, "12.3 s"],
    [245_000, "4 min 5 s"],
  ])("%s → %s", (ms, text) => expect(formatDuration(ms)).toBe(text));
});

it("formats UTC instants", () => expect(formatUtc("2026-11-20T14:00:00.000Z")).toBe("2026-11-20 14:00 UTC"));

const drift = (hour: string, metric: string, rows: number, streamed: number, batch: number): DriftView => ({
  hour,
  metric,
  ranAt: "2026-11-21T00:00:00.000Z",
  bucketsDrifted: rows,
  streamedCount: streamed,
  batchCount: batch,
});

describe("driftByHour", () => {
  it("sums rows over metrics and takes missing events from the events metric, oldest hour first", () => {
    expect(
      driftByHour([
        drift("2026-11-20T14:00:00.000Z", "events", 1, 10, 12),
        drift("2026-11-20T14:00:00.000Z", "api_latency", 2, 20, 24),
        drift("2026-11-20T09:00:00.000Z", "signups", 1, 3, 0),
      ]),
    ).toEqual([
      { hour: "2026-11-20T09:00:00.000Z", rows: 1, events: 0 },
      { hour: "2026-11-20T14:00:00.000Z", rows: 3, events: 2 },
    ]);
  });
});

it("counts runs by status and retried attempts", () => {
  const run = (status: JobRunView["status"], retries: number): JobRunView => ({
    id: 1,
    jobId: "j",
    queue: "compact-day",
    subject: "",
    attempt: retries + 1,
    retries,
    status,
    startedAt: "",
    finishedAt: null,
    durationMs: null,
    error: null,
  });
  expect(runTotals([run("completed", 0), run("failed", 0), run("completed", 2), run("running", 0)])).toEqual({
    completed: 2,
    failed: 1,
    running: 1,
    retried: 1,
  });
});
