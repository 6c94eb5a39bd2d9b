import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Batcher } from "./batcher";

const identity = async <T>(batch: T[]) => batch;

describe("Batcher", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("hands over full batches at once and a partial batch after maxWaitMs", async () => {
    const batches: number[][] = [];
    const batcher = new Batcher<number>({
      maxSize: 3,
      maxWaitMs: 50,
      prepare: identity,
      handle: async (b) => void batches.push(b),
    });
    for (const n of [1, 2, 3, 4]) await batcher.add(n);
    await vi.advanceTimersByTimeAsync(0);
    expect(batches).toEqual([[1, 2, 3]]);
    await vi.advanceTimersByTimeAsync(49);
    expect(batches).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(batches).toEqual([[1, 2, 3], [4]]);
  });

  it("prepares the next batch while one commits, and commits in order", async () => {
    const log: string[] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const batcher = new Batcher<number, number>({
      maxSize: 1,
      maxWaitMs: 10,
      prepare: async (b) => {
        log.push(`prepare ${b[0]}`);
        return b[0] ?? 0;
      },
      handle: async (n) => {
        log.push(`commit ${n}`);
        if (n === 1) await gate;
        log.push(`done ${n}`);
      },
    });
    await batcher.add(1);
    await batcher.add(2);
    await vi.advanceTimersByTimeAsync(0);
    expect(log).toEqual(["prepare 1", "commit 1", "prepare 2"]);
    release();
    await batcher.drain();
    expect(log).toEqual(["prepare 1", "commit 1", "prepare 2", "done 1", "commit 2", "done 2"]);
  });

  it("stops taking items while two batches wait on a stuck commit (back-pressure)", async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const committed: number[][] = [];
    const batcher = new Batcher<number>({
      maxSize: 2,
      maxWaitMs: 10,
      prepare: identity,
      handle: async (b) => {
        await gate;
        committed.push(b);
      },
    });
    for (const n of [1, 2, 3, 4]) await batcher.add(n); // two batches handed over
    await batcher.add(5);
    // The timer must not hand over more partial batches while the commit is stuck...
    await vi.advanceTimersByTimeAsync(1_000);
    expect(batcher.size).toBe(1);
    // ...and a full batch blocks the reader.
    let sixthDone = false;
    const sixth = batcher.add(6).then(() => (sixthDone = true));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(sixthDone).toBe(false);
    release();
    await sixth;
    await batcher.drain();
    expect(committed).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
  });

  it("surfaces a commit failure to drain and to the next add", async () => {
    const batcher = new Batcher<number>({
      maxSize: 1,
      maxWaitMs: 10,
      prepare: identity,
      handle: async () => {
        throw new Error("db down");
      },
    });
    await batcher.add(1);
    await expect(batcher.drain()).rejects.toThrow("db down");
    await expect(batcher.add(2)).rejects.toThrow("db down");
  });
});
