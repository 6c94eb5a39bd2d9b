import { describe, expect, it } from "vitest";
// Through the index, so the same table runs against any version of the contract module.
import { validateEvent, validatePayload } from "./index";

const NOW = Date.UTC(2026, 10, 25, 12, 0, 0);
const pv = { id: "e1", type: "page_view", ts: NOW, attrs: { path: "/home" } };
const bytes = (text: string) => new TextEncoder().encode(text);
/** NUL or a lone surrogate anywhere in the strings of `value` (what Postgres cannot store). */
// eslint-disable-next-line no-control-regex -- control characters are what this test looks for
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const storable = (value: unknown) => !hasRaw(value);
function hasRaw(value: unknown): boolean {
  if (typeof value === "string") return UNSTORABLE.test(value);
  if (typeof value !== "object" || value === null) return false;
  return Object.entries(value).some(([k, v]) => UNSTORABLE.test(k) || hasRaw(v));
}

/** Strings Postgres cannot store or NATS cannot carry, wherever they appear. */
describe("text that cannot be stored or sent is rejected with the field's reason and path", () => {
  it.each([
    ["NUL in the id", { ...pv, id: "a\u0000b" }, "invalid_id", "id"],
    ["lone high surrogate in the id", { ...pv, id: "a\ud800" }, "invalid_id", "id"],
    ["lone low surrogate in the id", { ...pv, id: "\udc00a" }, "invalid_id", "id"],
    ["CR/LF in the id (a NATS header)", { ...pv, id: "a\r\nb" }, "invalid_id", "id"],
    ["TAB in the id", { ...pv, id: "a\tb" }, "invalid_id", "id"],
    ["DEL in the id", { ...pv, id: "a\u007fb" }, "invalid_id", "id"],
    ["C1 control (NEL) in the id", { ...pv, id: "a\u0085b" }, "invalid_id", "id"],
    ["leading space in the id (JetStream trims it)", { ...pv, id: " e1" }, "invalid_id", "id"],
    ["trailing no-break space in the id", { ...pv, id: "e1\u00a0" }, "invalid_id", "id"],
    ["NUL in the source", { ...pv, source: "web\u0000" }, "invalid_source", "source"],
    ["lone surrogate in the source", { ...pv, source: "\ud83d" }, "invalid_source", "source"],
    ["LF in the source", { ...pv, source: "a\nb" }, "invalid_source", "source"],
    [
      "NUL in an attr value",
      { ...pv, attrs: { path: "/", note: "x\u0000y" } },
      "invalid_attrs",
      "attrs.note",
    ],
    [
      "lone surrogate in an attr value",
      { ...pv, attrs: { path: "/", note: "\udfff" } },
      "invalid_attrs",
      "attrs.note",
    ],
    [
      "NUL in an attr key",
      { ...pv, attrs: { path: "/", "k\u0000": "v" } },
      "invalid_attrs",
      "attrs.k\\u0000",
    ],
    [
      "lone surrogate in an attr key",
      { ...pv, attrs: { path: "/", "k\ud800": 1 } },
      "invalid_attrs",
      "attrs.k\\ud800",
    ],
    ["LF in an attr key", { ...pv, attrs: { path: "/", "a\nb": 1 } }, "invalid_attrs", "attrs.a\\u000ab"],
    ["NUL in a built-in attr", { ...pv, attrs: { path: "/a\u0000" } }, "invalid_attrs", "attrs.path"],
  ])("%s", (_name, input, code, path) => {
    const result = validateEvent(input, NOW);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reasons).toContainEqual(expect.objectContaining({ code, path }));
    // The reasons themselves must be storable (they go to a jsonb column).
    expect(storable(result.reasons)).toBe(true);
  });

  it("keeps text that is only unusual: a surrogate pair, TAB and LF in attr values, U+FFFD", () => {
    const input = { ...pv, id: "emoji-😀", attrs: { path: "/", note: "line 1\nline 2\tend", r: "\ufffd" } };
    expect(validateEvent(input, NOW).ok).toBe(true);
  });

  it("reports a bad id escaped, so the report itself can be stored and shown", () => {
    const result = validateEvent({ ...pv, id: "a\r\n\u0000b" }, NOW);
    expect(result).toMatchObject({ ok: false, id: "a\\u000d\\u000a\\u0000b" });
  });
});

describe("attrs", () => {
  it.each([["__proto__"], ["constructor"], ["prototype"]])("rejects the prototype key %s", (key) => {
    const result = validatePayload(
      `{"id":"p","type":"page_view","ts":${NOW},"attrs":{"path":"/","${key}":"x"}}`,
      NOW,
    );
    expect(result).toMatchObject({ ok: false, reasons: [{ code: "invalid_attrs", path: `attrs.${key}` }] });
  });

  it("rejects an attr key over 64 characters and says how long it is", () => {
    const result = validateEvent({ ...pv, attrs: { path: "/", ["k".repeat(65)]: 1 } }, NOW);
    expect(result).toMatchObject({ ok: false, reasons: [{ code: "invalid_attrs" }] });
    if (!result.ok) expect(result.reasons[0]?.message).toContain("65 characters");
  });

  it("answers thousands of attr keys with one reason, not one per key", () => {
    const attrs: Record<string, number> = { path: 1 };
    for (let i = 0; i < 3000; i++) attrs[`k${i}\u0000`] = i;
    const result = validateEvent({ ...pv, attrs }, NOW);
    expect(result).toMatchObject({ ok: false, reasons: [{ code: "invalid_attrs", path: "attrs" }] });
  });

  it("caps the reasons of one event, so 2000 unknown fields do not make a huge answer", () => {
    const input: Record<string, unknown> = { ...pv };
    for (let i = 0; i < 2000; i++) input[`f${i}`] = 1;
    const result = validateEvent(input, NOW);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reasons).toHaveLength(16);
  });
});

describe("event time", () => {
  it.each([
    ["epoch seconds", 1_764_000_000, "looks like epoch seconds"],
    ["a tiny number", 5, "before 1973-03-03"],
    ["Feb 30", "2026-02-30T00:00:00Z", "day 30 does not exist in 2026-02"],
    ["Feb 29 in a common year", "2025-02-29T00:00:00Z", "day 29 does not exist"],
    ["24:00:00", "2026-11-25T24:00:00Z", "hour 24"],
    ["month 13", "2026-13-01T00:00:00Z", "month 13"],
    ["month 00", "2026-00-10T00:00:00Z", "month 0"],
    ["minute 60", "2026-11-25T10:60:00Z", "minute 60"],
    ["leap second", "2026-12-31T23:59:60Z", "leap seconds"],
    ["offset +24:00", "2026-11-25T10:00:00+24:00", "offset"],
    ["year 1970 text", "1970-01-21T00:00:00Z", "before 1973-03-03"],
  ])("rejects %s", (_name, ts, message) => {
    const result = validateEvent({ ...pv, ts }, NOW);
    expect(result).toMatchObject({ ok: false, reasons: [{ code: "invalid_ts", path: "ts" }] });
    if (!result.ok) expect(result.reasons[0]?.message).toContain(message);
  });

  it.each([
    ["Feb 29 in a leap year", "2024-02-29T10:00:00Z", Date.UTC(2024, 1, 29, 10)],
    ["nanoseconds (cut to ms)", "2026-11-25T11:00:00.123456789Z", Date.UTC(2026, 10, 25, 11, 0, 0, 123)],
    ["an offset", "2026-11-25T16:30:00+05:30", Date.UTC(2026, 10, 25, 11)],
    ["a negative offset", "2026-11-25T06:00:00-05:00", Date.UTC(2026, 10, 25, 11)],
    ["lower-case t and z", "2026-11-25t11:00:00z", Date.UTC(2026, 10, 25, 11)],
    ["epoch ms", NOW - 1, NOW - 1],
  ])("accepts %s", (_name, ts, ms) => {
    expect(validateEvent({ ...pv, ts }, NOW)).toMatchObject({ ok: true, event: { ts: ms } });
  });

  it("hints at microseconds for a time far in the future", () => {
    const result = validateEvent({ ...pv, ts: (NOW - 1000) * 1000 }, NOW);
    expect(result).toMatchObject({ ok: false, reasons: [{ code: "ts_in_future" }] });
    if (!result.ok) expect(result.reasons[0]?.message).toContain("microseconds");
  });

  it("rejects an event older than the oldest counted time with ts_too_old", () => {
    const oldest = NOW - 7 * 86_400_000;
    const old = validateEvent({ ...pv, ts: oldest - 1 }, NOW, { oldestCountedTs: oldest });
    expect(old).toMatchObject({ ok: false, reasons: [{ code: "ts_too_old", path: "ts" }] });
    expect(validateEvent({ ...pv, ts: oldest }, NOW, { oldestCountedTs: oldest }).ok).toBe(true);
  });
});

describe("raw payloads (NATS messages and HTTP items as received)", () => {
  it.each([
    ["a lone continuation byte", [0x7b, 0x80, 0x7d], 1],
    ["an overlong NUL (C0 80)", [0x22, 0xc0, 0x80, 0x22], 1],
    ["an encoded surrogate (ED A0 80)", [0x22, 0xed, 0xa0, 0x80, 0x22], 1],
    ["a truncated sequence", [0x22, 0xe2, 0x82], 1],
    ["beyond U+10FFFF (F4 90 80 80)", [0x22, 0xf4, 0x90, 0x80, 0x80, 0x22], 1],
    ["Latin-1 é inside a valid event", [...bytes('{"id":"caf'), 0xe9, ...bytes('"}')], 10],
  ])("invalid UTF-8 (%s) is invalid_encoding with its offset", (_name, raw, offset) => {
    const result = validatePayload(new Uint8Array(raw), NOW);
    expect(result).toMatchObject({ ok: false, reasons: [{ code: "invalid_encoding" }] });
    if (!result.ok) expect(result.reasons[0]?.message).toContain(`offset ${offset}`);
  });

  it("rejects JSON nested 100 000 levels deep with a reason, without a stack overflow", () => {
    const deep = `{"id":"d","type":"page_view","ts":${NOW},"attrs":${"[".repeat(8000)}${"]".repeat(8000)}}`;
    expect(validatePayload(deep, NOW)).toMatchObject({ ok: false, reasons: [{ code: "nesting_too_deep" }] });
    const huge = "[".repeat(100_000) + "]".repeat(100_000);
    expect(validatePayload(huge, NOW)).toMatchObject({ ok: false, reasons: [{ code: "payload_too_large" }] });
  });

  it.each([
    ["a repeated id", `{"id":"a","id":"b","type":"page_view","ts":${NOW},"attrs":{"path":"/"}}`, "id"],
    [
      "a repeated attr",
      `{"id":"a","type":"page_view","ts":${NOW},"attrs":{"path":"/","path":"/x"}}`,
      "attrs.path",
    ],
    [
      "a key repeated by escape",
      `{"id":"a","type":"page_view","ts":${NOW},"attrs":{"path":"/","\\u0070ath":"/"}}`,
      "attrs.path",
    ],
  ])("rejects %s as duplicate_key (JSON.parse would keep the last)", (_name, text, path) => {
    expect(validatePayload(text, NOW)).toMatchObject({
      ok: false,
      reasons: [{ code: "duplicate_key", path }],
    });
  });

  it("ignores a leading byte order mark", () => {
    const text = JSON.stringify(pv);
    expect(validatePayload(new Uint8Array([0xef, 0xbb, 0xbf, ...bytes(text)]), NOW).ok).toBe(true);
  });

  it("turns the JSON escape of NUL into invalid_attrs, not a stored event", () => {
    const text = `{"id":"n","type":"page_view","ts":${NOW},"attrs":{"path":"/","q":"\\u0000"}}`;
    expect(validatePayload(bytes(text), NOW)).toMatchObject({
      ok: false,
      reasons: [{ code: "invalid_attrs", path: "attrs.q" }],
    });
  });

  it("does not echo binary input in the invalid_json message", () => {
    const result = validatePayload("\u001f\u0008\u0001{", NOW);
    expect(result).toMatchObject({ ok: false, reasons: [{ code: "invalid_json" }] });
    // eslint-disable-next-line no-control-regex -- control characters are what this test looks for
    if (!result.ok) expect(result.reasons[0]?.message).not.toMatch(/[\u0000-\u001f]/);
  });
});
