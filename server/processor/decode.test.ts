import { describe, expect, it } from "vitest";
import { decodeMessage } from "./decode";

const NOW = Date.UTC(2026, 10, 25, 12);
const ctx = { stream: "NS_EVENTS", subjectPrefix: "ns.events", now: NOW };
const bytes = (s: string) => new TextEncoder().encode(s);
const pv = JSON.stringify({ id: "p1", type: "page_view", ts: NOW, attrs: { path: "/" } });

describe("decodeMessage", () => {
  it("accepts a valid event on its own subject", () => {
    const decoded = decodeMessage({ subject: "ns.events.page_view", data: bytes(pv), seq: 1 }, ctx);
    expect(decoded).toMatchObject({ kind: "event", event: { id: "p1", ts: NOW } });
  });

  it.each([
    ["not JSON", "ns.events.page_view", "}{", "invalid_json", undefined],
    ["binary garbage", "ns.events.page_view", "\u0000\u0001\u00ff", "invalid_json", undefined],
    ["wrong subject", "ns.events.signup", pv, "type_mismatch", "p1"],
    ["unknown type", "ns.events.foo", JSON.stringify({ id: "f", type: "foo", ts: NOW }), "unknown_type", "f"],
  ])("dead-letters %s with the raw payload and a dedup key", (_n, subject, body, code, eventId) => {
    const decoded = decodeMessage({ subject, data: bytes(body), seq: 42 }, ctx);
    expect(decoded.kind).toBe("dead");
    if (decoded.kind !== "dead") return;
    expect(decoded.letter).toMatchObject({ source: "nats", dedupKey: "NS_EVENTS:42", subject });
    expect(Buffer.from(decoded.letter.payload).equals(Buffer.from(bytes(body)))).toBe(true);
    expect(decoded.letter.reasons[0]?.code).toBe(code);
    expect(decoded.letter.eventId).toBe(eventId);
  });

  it.each([
    [
      "a byte that is not UTF-8",
      [...bytes('{"id":"l1","type":"page_view","ts":1,"attrs":{"path":"/caf'), 0xe9, ...bytes('"}}')],
      "invalid_encoding",
    ],
    ["an encoded surrogate", [...bytes('{"id":"'), 0xed, 0xa0, 0x80, ...bytes('"}')], "invalid_encoding"],
    [
      "NUL as a JSON escape",
      [...bytes(`{"id":"n1","type":"page_view","ts":${NOW},"attrs":{"path":"/","q":"\\u0000"}}`)],
      "invalid_attrs",
    ],
    [
      "a lone surrogate escape in a key",
      [...bytes(`{"id":"s1","type":"page_view","ts":${NOW},"attrs":{"path":"/","\\ud800":1}}`)],
      "invalid_attrs",
    ],
  ])("dead-letters %s with its exact bytes, never an altered event", (_n, raw, code) => {
    const data = new Uint8Array(raw);
    const decoded = decodeMessage({ subject: "ns.events.page_view", data, seq: 7 }, ctx);
    expect(decoded).toMatchObject({ kind: "dead", letter: { reasons: [{ code }] } });
    if (decoded.kind === "dead")
      expect(Buffer.from(decoded.letter.payload).equals(Buffer.from(data))).toBe(true);
  });
});

describe("decodeMessage on the rejection subject", () => {
  const rctx = { ...ctx, rejectionSubject: "ns.rejected.http" };
  it("turns ingest's envelope into an http dead letter with the item's exact bytes", () => {
    const item = new Uint8Array([...bytes('{"id":"x\\r\\n","q":"'), 0xff, ...bytes('"}')]);
    const envelope = {
      v: 1,
      receivedAt: NOW - 5,
      index: 3,
      eventId: "x\\u000d\\u000a",
      reasons: [{ code: "invalid_encoding", message: "m\u0000", path: "" }],
      payload: Buffer.from(item).toString("base64"),
      payloadSize: 70_000,
    };
    const decoded = decodeMessage(
      { subject: "ns.rejected.http", data: bytes(JSON.stringify(envelope)), seq: 9 },
      rctx,
    );
    expect(decoded).toMatchObject({
      kind: "dead",
      letter: {
        source: "http",
        dedupKey: "NS_EVENTS:9",
        eventId: "x\\u000d\\u000a",
        receivedAt: NOW - 5,
        payloadSize: 70_000,
        reasons: [{ code: "invalid_encoding", message: "m\\u0000" }],
      },
    });
    if (decoded.kind === "dead")
      expect(Buffer.from(decoded.letter.payload).equals(Buffer.from(item))).toBe(true);
  });

  it("keeps anything else published there as a nats dead letter", () => {
    const data = bytes('{"v":1}');
    expect(decodeMessage({ subject: "ns.rejected.http", data, seq: 10 }, rctx)).toMatchObject({
      kind: "dead",
      letter: { source: "nats", reasons: [{ code: "schema_violation" }], payload: data },
    });
  });
});
