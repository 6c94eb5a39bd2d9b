import { describe, expect, it } from "vitest";
import { pipelineRates } from "./pipeline-rates";

const T = Date.UTC(2026, 11, 1, 8);

describe("pipelineRates", () => {
  it.each([
    [
      "no previous reading",
      null,
      { at: T, streamSeq: 10, stored: 5 },
      { ingestRate: null, processingRate: null },
    ],
    [
      "two readings 2 s apart",
      { at: T, streamSeq: 100, stored: 90 },
      { at: T + 2000, streamSeq: 301, stored: 290 },
      { ingestRate: 100.5, processingRate: 100 },
    ],
    [
      "a stream that was recreated",
      { at: T, streamSeq: 100, stored: 90 },
      { at: T + 1000, streamSeq: 3, stored: 95 },
      { ingestRate: null, processingRate: 5 },
    ],
    [
      "readings at the same instant",
      { at: T, streamSeq: 1, stored: 1 },
      { at: T, streamSeq: 9, stored: 9 },
      { ingestRate: null, processingRate: null },
    ],
  ])("%s", (_name, previous, next, expected) => {
    expect(pipelineRates(previous, next)).toEqual(expected);
  });
});
