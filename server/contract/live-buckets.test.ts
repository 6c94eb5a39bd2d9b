import { describe, expect, it } from "vitest";
import { parseLiveBatch, parseLiveUpdate, parseSubscribeAck } from "./live-buckets";

const T = Date.UTC(2026, 11, 2, 9);
const summary = { count: 4, sum: 10, avg: 2.5, min: 1, max: 4, p50: 2, p90: 4, p95: 4, p99: 4, distinct: 0 };
const good = (bucketStart: number) => ({
  metric: "api_latency",
  resolution: "10s",
  bucketStart,
  groupKey: "",
  state: "final",
  summary,
});
// Over Socket.IO or NATS (JSON) an Infinity arrives as null.
const badBuckets: [string, unknown, string][] = [
  ["an overflowed sum", { ...good(T + 1), summary: { ...summary, sum: null } }, "summary.sum"],
  ["an overflowed avg", { ...good(T + 2), summary: { ...summary, avg: "Infinity" } }, "summary.avg"],
  ["an unknown state", { ...good(T + 3), state: "partial" }, "state"],
  ["no summary", { ...good(T + 4), summary: undefined }, "summary"],
  ["not an object", 42, ""],
];

describe.each(badBuckets)("one bucket with %s", (_name, bad, path) => {
  const buckets = [good(T), bad, good(T + 10_000)];
  const kept = [good(T), good(T + 10_000)];

  it("is dropped from a subscribe ack's snapshot; the snapshot is kept", () => {
    const ack = {
      ok: true,
      snapshot: {
        subscription: "api_latency|10s|",
        metric: "api_latency",
        resolution: "10s",
        groupBy: null,
        seq: 3,
        watermark: T,
        buckets,
        serverTime: T,
      },
    };
    const parsed = parseSubscribeAck(ack);
    expect(parsed).toMatchObject({ ok: true, snapshot: { seq: 3, buckets: kept } });
    expect(parsed?.ok && parsed.dropped).toEqual([
      { index: 1, issue: expect.stringMatching(new RegExp(`^${path}`)) },
    ]);
  });

  it("is dropped from an update; the update is kept", () => {
    const parsed = parseLiveUpdate({ subscription: "s", seq: 4, watermark: T, buckets });
    expect(parsed?.value).toEqual({ subscription: "s", seq: 4, watermark: T, buckets: kept });
    expect(parsed?.dropped.map((d) => d.index)).toEqual([1]);
  });

  it("is dropped from a processor batch; the batch is kept", () => {
    const batch = {
      consumer: "p",
      batchSeq: 2,
      total: 9,
      tooLateTotal: 0,
      watermark: T,
      rates: [],
      committedAt: T,
    };
    const parsed = parseLiveBatch({ ...batch, buckets });
    expect(parsed?.value).toEqual({ ...batch, buckets: kept });
    expect(parsed?.dropped).toHaveLength(1);
  });
});

describe("a malformed envelope is still refused as a whole", () => {
  it.each([
    ["update without seq", () => parseLiveUpdate({ subscription: "s", watermark: null, buckets: [] })],
    [
      "update whose buckets are not a list",
      () => parseLiveUpdate({ subscription: "s", seq: 1, watermark: null, buckets: {} }),
    ],
    ["ack without ok", () => parseSubscribeAck({ snapshot: {} })],
    ["batch that is not JSON-shaped", () => parseLiveBatch("not json")],
  ])("%s", (_name, parse) => {
    expect(parse()).toBeNull();
  });

  it("a refused subscription stays a refusal", () => {
    const error = { code: "unknown_metric", message: "no enabled metric named x", field: "metric" };
    expect(parseSubscribeAck({ ok: false, error })).toEqual({ ok: false, error });
  });
});
