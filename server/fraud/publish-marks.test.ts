import { describe, expect, it } from "vitest";
import { PublishMarks } from "./publish-marks";

describe("PublishMarks", () => {
  it("drains after the tracked publishes: a mark made when one settles is written by the same drain", async () => {
    const flushed: string[][] = [];
    const marks = new PublishMarks(
      async (ids) => void flushed.push(ids),
      () => undefined,
      60_000,
    );
    let finish: () => void = () => undefined;
    const publish = new Promise<void>((resolve) => (finish = resolve)).then(() => marks.mark("b"));
    marks.track(publish);
    marks.mark("a");
    const drained = marks.drain();
    expect(flushed).toEqual([]);
    finish();
    await drained;
    expect(flushed).toEqual([["a", "b"]]);
  });

  it("does not fail the drain for a publish that failed", async () => {
    const flushed: string[][] = [];
    const marks = new PublishMarks(
      async (ids) => void flushed.push(ids),
      () => undefined,
      60_000,
    );
    marks.track(Promise.reject(new Error("JetStream unavailable")));
    marks.mark("a");
    await marks.drain();
    expect(flushed).toEqual([["a"]]);
  });
});
