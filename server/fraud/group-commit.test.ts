import { describe, expect, it } from "vitest";
import { GroupCommit } from "./group-commit";

/** A run the test finishes by hand, recording the batches it was given. */
function manualRuns() {
  const batches: number[][] = [];
  const finishers: Array<() => void> = [];
  const run = (items: number[]) =>
    new Promise<string[]>((resolve, reject) => {
      batches.push(items);
      finishers.push(() =>
        items.includes(13) ? reject(new Error("13")) : resolve(items.map((i) => `r${i}`)),
      );
    });
  const finishNext = async () => {
    finishers.shift()?.();
    await new Promise((r) => setTimeout(r, 0));
  };
  return { run, batches, finishNext };
}

describe("GroupCommit", () => {
  it("runs a lone item at once and groups the items that arrive while every slot is busy", async () => {
    const { run, batches, finishNext } = manualRuns();
    const groups = new GroupCommit(run, { maxBatch: 3, maxInFlight: 1 });
    const first = groups.submit(1);
    expect(batches).toEqual([[1]]);
    const rest = [2, 3, 4, 5].map((i) => groups.submit(i));
    expect(groups.waiting).toBe(4);
    await finishNext();
    expect(await first).toBe("r1");
    // The next free slot takes up to maxBatch of the waiting items, in arrival order.
    expect(batches).toEqual([[1], [2, 3, 4]]);
    await finishNext();
    expect(batches).toEqual([[1], [2, 3, 4], [5]]);
    await finishNext();
    expect(await Promise.all(rest)).toEqual(["r2", "r3", "r4", "r5"]);
  });

  it("keeps up to maxInFlight runs going", () => {
    const { run, batches } = manualRuns();
    const groups = new GroupCommit(run, { maxBatch: 10, maxInFlight: 2 });
    for (const i of [1, 2, 3, 4]) void groups.submit(i);
    expect(batches).toEqual([[1], [2]]);
    expect(groups.waiting).toBe(2);
  });

  it("runs every item of a failed group alone, so only the item that fails is refused", async () => {
    const { run, batches, finishNext } = manualRuns();
    const groups = new GroupCommit(run, { maxBatch: 5, maxInFlight: 1 });
    const first = groups.submit(1);
    const grouped = [12, 13, 14].map((i) =>
      groups.submit(i).then(
        (r) => r,
        (e: Error) => `failed ${e.message}`,
      ),
    );
    await finishNext();
    await first;
    expect(batches.at(-1)).toEqual([12, 13, 14]);
    for (let i = 0; i < 4; i++) await finishNext();
    expect(batches.slice(2)).toEqual([[12], [13], [14]]);
    expect(await Promise.all(grouped)).toEqual(["r12", "failed 13", "r14"]);
  });
});
