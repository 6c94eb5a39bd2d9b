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
    expect(decoded.letter).toMatchObject({
      source: "nats",
      dedupKey: "NS_EVENTS:42",
      subject,
      payload: body,
    });
    expect(decoded.letter.reasons[0]?.code).toBe(code);
    expect(decoded.letter.eventId).toBe(eventId);
  });
});
