import { describe, expect, it } from "vitest";
import type { HttpRejection } from "../contract";
import { DEFAULT_TIME_SETTINGS } from "../core/engine";
import { ingest, IngestRequestError, type IngestContext, type IngestPorts, type StoreView } from "./ingest";

const NOW = Date.UTC(2026, 10, 25, 12);
const DAY = 86_400_000;
const context: IngestContext = {
  now: NOW,
  oldestAcceptedTs: NOW - 7 * DAY + 3_600_000,
  time: DEFAULT_TIME_SETTINGS,
};
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const body = (value: unknown) =>
  new TextEncoder().encode(typeof value === "string" ? value : JSON.stringify(value));

/**
 * In-memory twin of JetStream (publish-time de-duplication by id; like nats.js it refuses
 * CR/LF in a header value) and of Postgres's stored ids and consumer clock.
 */
function twin(options: { stored?: string[]; maxEventTime?: number; storeDown?: boolean } = {}) {
  const published: { type: string; id: string; payload: string }[] = [];
  const rejections: HttpRejection[] = [];
  const ids = new Set<string>();
  const lookups: string[][] = [];
  const ports: IngestPorts = {
    async publish(type, id, payload) {
      if (/[\r\n]/.test(id)) throw new Error("'header' values cannot contain \\r or \\n");
      const duplicate = ids.has(id);
      ids.add(id);
      if (!duplicate) published.push({ type, id, payload: text(payload) });
      return { duplicate };
    },
    async publishRejections(batch) {
      rejections.push(...batch);
    },
    async lookup(asked): Promise<StoreView | null> {
      lookups.push(asked);
      if (options.storeDown) return null;
      const stored = new Set(asked.filter((id) => options.stored?.includes(id)));
      return { stored, clock: { maxEventTime: options.maxEventTime ?? null } };
    },
  };
  return { ports, published, rejections, lookups };
}

const pv = (id: string, ts = NOW) => ({ id, type: "page_view", ts, attrs: { path: "/" } });

describe("ingest", () => {
  it("publishes each valid event as the exact bytes it was sent as, and reports rejections per index", async () => {
    const t = twin();
    const raw = `[ {"id":"a", "type":"page_view","ts":${NOW},"attrs":{"path":"/\\u00e9"}} ,\n {"id":"b","type":"nope","ts":${NOW}}, ${JSON.stringify(pv("c"))} ]`;
    const answer = await ingest(t.ports, body(raw), context);
    expect(answer).toEqual({
      accepted: 2,
      duplicates: 0,
      rejected: [{ index: 1, id: "b", reasons: [expect.objectContaining({ code: "unknown_type" })] }],
      notices: [],
      storeChecked: true,
    });
    expect(t.published.map((p) => p.payload)).toEqual([
      `{"id":"a", "type":"page_view","ts":${NOW},"attrs":{"path":"/\\u00e9"}}`,
      JSON.stringify(pv("c")),
    ]);
    expect(t.rejections).toEqual([
      expect.objectContaining({
        index: 1,
        eventId: "b",
        payload: Buffer.from(`{"id":"b","type":"nope","ts":${NOW}}`).toString("base64"),
      }),
    ]);
  });

  it("accepts a single object", async () => {
    expect(await ingest(twin().ports, body(pv("x")), context)).toMatchObject({
      accepted: 1,
      duplicates: 0,
      rejected: [],
    });
  });

  it("answers an id with CR/LF per event (it cannot be a NATS header); the rest is taken", async () => {
    const t = twin();
    const answer = await ingest(t.ports, body([pv("ok-1"), pv("bad\r\nid"), pv("ok-2")]), context);
    expect(answer).toMatchObject({
      accepted: 2,
      rejected: [{ index: 1, id: "bad\\u000d\\u000aid", reasons: [{ code: "invalid_id", path: "id" }] }],
    });
    expect(t.published.map((p) => p.id)).toEqual(["ok-1", "ok-2"]);
    expect(t.rejections[0]?.payload).toBe(Buffer.from(JSON.stringify(pv("bad\r\nid"))).toString("base64"));
  });

  it("keeps an item that is not UTF-8 as its exact bytes and takes the others", async () => {
    const t = twin();
    const bad = [...body('{"id":"l1","type":"page_view","ts":1,"attrs":{"path":"/caf'), 0xe9, ...body('"}}')];
    const raw = new Uint8Array([...body("["), ...bad, ...body(","), ...body(pv("fine")), ...body("]")]);
    const answer = await ingest(t.ports, raw, context);
    expect(answer).toMatchObject({
      accepted: 1,
      rejected: [{ index: 0, reasons: [{ code: "invalid_encoding" }] }],
    });
    expect(Buffer.from(t.rejections[0]?.payload ?? "", "base64").equals(Buffer.from(bad))).toBe(true);
  });

  it("reports ids already stored as duplicates without publishing them, in one look-up", async () => {
    const t = twin({ stored: ["old-1"] });
    const answer = await ingest(t.ports, body([pv("old-1"), pv("new-1"), pv("new-1")]), context);
    expect(answer).toMatchObject({ accepted: 1, duplicates: 2, storeChecked: true });
    expect(answer.notices).toEqual([
      expect.objectContaining({
        index: 0,
        id: "old-1",
        code: "duplicate",
        message: expect.stringContaining("already stored"),
      }),
      expect.objectContaining({
        index: 2,
        id: "new-1",
        code: "duplicate",
        message: expect.stringContaining("item 1"),
      }),
    ]);
    expect(t.lookups).toEqual([["old-1", "new-1"]]);
    expect(t.published.map((p) => p.id)).toEqual(["new-1"]);
  });

  it("goes on without Postgres: JetStream's window still catches repeats, and the answer says so", async () => {
    const t = twin({ storeDown: true });
    expect(await ingest(t.ports, body([pv("d")]), context)).toMatchObject({
      accepted: 1,
      storeChecked: false,
    });
    const again = await ingest(t.ports, body([pv("d")]), context);
    expect(again).toMatchObject({ accepted: 0, duplicates: 1, storeChecked: false });
    expect(again.notices[0]?.message).toContain("JetStream");
  });

  it("says per event when it will count only after reconciliation (behind watermark − lateness)", async () => {
    const t = twin({ maxEventTime: NOW });
    const late = NOW - 5_000 - 10 * 60_000 - 2 * 60_000;
    const answer = await ingest(
      t.ports,
      body([pv("now"), pv("late-ok", NOW - 5 * 60_000), pv("too-late", late)]),
      context,
    );
    expect(answer).toMatchObject({ accepted: 3, notices: [{ index: 2, id: "too-late", code: "too_late" }] });
  });

  it("rejects an event older than the reconciliation window (it would never count) and keeps it", async () => {
    const t = twin();
    const answer = await ingest(t.ports, body([pv("ancient", NOW - 8 * DAY)]), context);
    expect(answer).toMatchObject({
      accepted: 0,
      rejected: [{ index: 0, reasons: [{ code: "ts_too_old" }] }],
    });
    expect(t.rejections).toHaveLength(1);
    expect(t.published).toEqual([]);
  });

  it("publishes nothing when the evidence of rejected events cannot be kept", async () => {
    const t = twin();
    t.ports.publishRejections = () => Promise.reject(new Error("JetStream down"));
    await expect(ingest(t.ports, body([pv("v"), { id: "r" }]), context)).rejects.toThrow("JetStream down");
    expect(t.published).toEqual([]);
  });

  it("rejects JSON nested 100 000 levels deep per event, without a stack overflow", async () => {
    const t = twin();
    const deep = `[${"[".repeat(100_000)}${"]".repeat(100_000)}, ${JSON.stringify(pv("after"))}]`;
    const answer = await ingest(t.ports, body(deep), context);
    expect(answer).toMatchObject({
      accepted: 1,
      rejected: [{ index: 0, reasons: [{ code: "payload_too_large" }] }],
    });
    const nested = `[{"id":"n","type":"page_view","ts":${NOW},"attrs":${"[".repeat(5000)}${"]".repeat(5000)}}]`;
    expect(await ingest(t.ports, body(nested), context)).toMatchObject({
      rejected: [{ index: 0, id: "n", reasons: [{ code: "nesting_too_deep" }] }],
    });
  });

  it.each([
    ["an empty body", "", "empty_body"],
    ["only white space", " \n", "empty_body"],
    ["an empty array", "[]", "empty_batch"],
    ["not JSON", "{nope", "invalid_json"],
    ["two values", `${JSON.stringify(pv("a"))} ${JSON.stringify(pv("b"))}`, "invalid_json"],
  ])("refuses %s as a whole", async (_name, raw, code) => {
    await expect(ingest(twin().ports, body(raw), context)).rejects.toMatchObject({ code });
  });

  it("refuses more than 1000 events", async () => {
    const many = Array.from({ length: 1001 }, (_, i) => pv(`e${i}`));
    await expect(ingest(twin().ports, body(many), context)).rejects.toBeInstanceOf(IngestRequestError);
  });
});
