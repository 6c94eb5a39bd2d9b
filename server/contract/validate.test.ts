import { describe, expect, it } from "vitest";
import { validatePayload } from "./payload";
import { validateEvent } from "./validate";

const NOW = Date.UTC(2026, 10, 25, 12, 0, 0);
const ISO_NOW = "2026-11-25T12:00:00Z";

const pageView = { id: "e1", type: "page_view", ts: ISO_NOW, attrs: { path: "/home", country: "DE" } };
const apiRequest = {
  id: "e2",
  type: "api_request",
  ts: NOW - 1000,
  value: 42.5,
  attrs: { route: "/api/cart", method: "GET", status: 200, region: "eu-west" },
};
const transaction = {
  id: "e3",
  type: "transaction",
  ts: ISO_NOW,
  value: 19.99,
  attrs: { currency: "EUR", card_id: "c1", customer_id: "u1", merchant: "m1" },
};

describe("validateEvent accepts valid events", () => {
  it.each([
    ["page_view", pageView],
    ["api_request", apiRequest],
    ["transaction", transaction],
    ["signup", { id: "s", type: "signup", ts: ISO_NOW, attrs: { user_id: "u9" } }],
    ["error", { id: "x", type: "error", ts: ISO_NOW, attrs: { message: "boom" } }],
    ["offset time", { ...pageView, ts: "2026-11-25T17:30:00+05:30" }],
    ["4 min 59 s ahead", { ...pageView, ts: NOW + 299_000 }],
  ])("%s", (_name, input) => {
    const result = validateEvent(input, NOW);
    expect(result.ok, JSON.stringify(result)).toBe(true);
  });

  it("normalises ts to epoch ms and defaults v and attrs", () => {
    const result = validateEvent(
      { id: "a", type: "error", ts: "2026-11-25T11:59:00.250Z", attrs: { message: "m" } },
      NOW,
    );
    expect(result).toEqual({
      ok: true,
      event: { id: "a", type: "error", ts: NOW - 59_750, v: 1, attrs: { message: "m" } },
    });
  });
});

describe("validateEvent rejects with specific reasons", () => {
  it.each([
    ["not an object", [1, 2], "not_an_object", ""],
    ["null", null, "not_an_object", ""],
    ["missing id", { ...pageView, id: undefined }, "missing_field", "id"],
    ["empty id", { ...pageView, id: "" }, "invalid_id", "id"],
    ["id too long", { ...pageView, id: "x".repeat(129) }, "invalid_id", "id"],
    ["numeric id", { ...pageView, id: 7 }, "invalid_id", "id"],
    ["missing ts", { ...pageView, ts: undefined }, "missing_field", "ts"],
    ["unparseable ts", { ...pageView, ts: "yesterday" }, "invalid_ts", "ts"],
    ["date-only ts", { ...pageView, ts: "2026-11-25" }, "invalid_ts", "ts"],
    ["fractional epoch", { ...pageView, ts: 1.5 }, "invalid_ts", "ts"],
    ["ts 6 min ahead", { ...pageView, ts: NOW + 360_000 }, "ts_in_future", "ts"],
    ["unknown type", { ...pageView, type: "purchase_made" }, "unknown_type", "type"],
    ["bad type name", { ...pageView, type: "Page View" }, "invalid_type_name", "type"],
    ["value NaN", { ...apiRequest, value: NaN }, "invalid_value", "value"],
    ["value Infinity", { ...apiRequest, value: Infinity }, "invalid_value", "value"],
    ["value string", { ...apiRequest, value: "42" }, "invalid_value", "value"],
    [
      "nested attrs",
      { ...pageView, attrs: { path: "/", geo: { city: "Berlin" } } },
      "invalid_attrs",
      "attrs.geo",
    ],
    ["array attr", { ...pageView, attrs: { path: "/", tags: ["a"] } }, "invalid_attrs", "attrs.tags"],
    ["unknown field", { ...pageView, user: "u1" }, "unknown_field", "user"],
    ["version 2", { ...pageView, v: 2 }, "invalid_version", "v"],
    ["long source", { ...pageView, source: "s".repeat(65) }, "invalid_source", "source"],
    ["api_request without value", { ...apiRequest, value: undefined }, "schema_violation", "value"],
    [
      "api_request bad status",
      { ...apiRequest, attrs: { ...apiRequest.attrs, status: 999 } },
      "schema_violation",
      "attrs.status",
    ],
    ["page_view without path", { ...pageView, attrs: { country: "DE" } }, "schema_violation", "attrs.path"],
    [
      "transaction bad currency",
      { ...transaction, attrs: { ...transaction.attrs, currency: "euro" } },
      "schema_violation",
      "attrs.currency",
    ],
    ["negative amount", { ...transaction, value: -5 }, "schema_violation", "value"],
  ])("%s", (_name, input, code, path) => {
    const result = validateEvent(input, NOW);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reasons).toContainEqual(expect.objectContaining({ code, path }));
    for (const reason of result.reasons) expect(reason.message.length).toBeGreaterThan(5);
  });

  it("rejects more than 32 attrs", () => {
    const attrs: Record<string, string> = { path: "/" };
    for (let i = 0; i < 32; i++) attrs[`k${i}`] = "v";
    const result = validateEvent({ ...pageView, attrs }, NOW);
    expect(result).toMatchObject({ ok: false, reasons: [{ code: "invalid_attrs", path: "attrs" }] });
  });

  it("reports every problem at once and keeps the id for the caller", () => {
    const result = validateEvent(
      { id: "bad-1", type: "api_request", ts: "nope", value: "slow", attrs: {} },
      NOW,
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.id).toBe("bad-1");
    expect(result.reasons.map((r) => r.code).sort()).toEqual(["invalid_value"]);
  });
});

describe("validatePayload", () => {
  it("turns non-JSON into invalid_json", () => {
    expect(validatePayload("{not json", NOW)).toMatchObject({
      ok: false,
      reasons: [{ code: "invalid_json" }],
    });
  });
  it("turns 1e999 (JSON for Infinity) into invalid_value", () => {
    const text = '{"id":"i","type":"api_request","ts":1,"value":1e999,"attrs":{}}';
    expect(validatePayload(text, NOW)).toMatchObject({ ok: false, reasons: [{ code: "invalid_value" }] });
  });
  it("rejects payloads over 16 KiB", () => {
    const text = JSON.stringify({ ...pageView, attrs: { path: "/" + "a".repeat(17_000) } });
    expect(validatePayload(text, NOW)).toMatchObject({ ok: false, reasons: [{ code: "payload_too_large" }] });
  });
  it("accepts a valid payload", () => {
    expect(validatePayload(JSON.stringify(pageView), NOW).ok).toBe(true);
  });
});
