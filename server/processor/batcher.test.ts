import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Batcher } from "./batcher";

describe("Batcher", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("flushes full batches at once and a partial batch after maxWaitMs", async () => {
    const batches: number[][] = [];
    const batcher = new Batcher<number>({
      maxSize: 3,
      maxWaitMs: 50,
      handle: async (b) => void batches.push(b),
    });
    for (const n of [1, 2, 3, 4]) await batcher.add(n);
    expect(batches).toEqual([[1, 2, 3]]);
    await vi.advanceTimersByTimeAsync(49);
    expect(batches).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(batches).toEqual([[1, 2, 3], [4]]);
  });

  it("handles one batch at a time, in order", async () => {
    const log: string[] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const batcher = new Batcher<number>({
      maxSize: 1,
      maxWaitMs: 10,
      handle: async (b) => {
        log.push(`start ${b[0]}`);
        if (b[0] === 1) await gate;
        log.push(`end ${b[0]}`);
      },
    });
    const first = batcher.add(1);
    const second = batcher.add(2);
    await vi.advanceTimersByTimeAsync(0);
    expect(log).toEqual(["start 1"]);
    release();
    await Promise.all([first, second]);
    expect(log).toEqual(["start 1", "end 1", "start 2", "end 2"]);
  });

  it("surfaces a handler failure to the next add", async () => {
    const batcher = new Batcher<number>({
      maxSize: 1,
      maxWaitMs: 10,
      handle: async () => {
        throw new Error("db down");
      },
    });
    await expect(batcher.add(1)).rejects.toThrow("db down");
    await expect(batcher.add(2)).rejects.toThrow("db down");
  });
});
