import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { validateEvent } from "./validate";
import { VALUE_LIMITS } from "./value-range";

const NOW = Date.UTC(2026, 11, 2, 12, 0, 0);
const MAX = Number.MAX_SAFE_INTEGER;

const apiRequest = (value: unknown) => ({
  id: "a",
  type: "api_request",
  ts: NOW,
  value,
  attrs: { route: "/r", method: "GET", status: 200 },
});
const transaction = (value: unknown) => ({
  id: "t",
  type: "transaction",
  ts: NOW,
  value,
  attrs: { currency: "EUR", card_id: "c", customer_id: "u", merchant: "m" },
});
const error = (value: unknown, attrs: Record<string, unknown> = {}) => ({
  id: "e",
  type: "error",
  ts: NOW,
  ...(value === undefined ? {} : { value }),
  attrs: { message: "boom", ...attrs },
});

describe("value bounds per type", () => {
  it.each([
    ["api_request 0 ms", apiRequest(0)],
    ["api_request 24 h", apiRequest(VALUE_LIMITS.maxLatencyMs)],
    ["api_request 1e-300 ms", apiRequest(1e-300)],
    ["transaction 0", transaction(0)],
    ["transaction 1e12", transaction(1e12)],
    ["error +2^53 - 1", error(MAX)],
    ["error -(2^53 - 1)", error(-MAX)],
    ["error tiny negative", error(-5e-324)],
    ["numeric attr at +bound", error(undefined, { n: MAX })],
    ["numeric attr at -bound", error(undefined, { n: -MAX })],
  ])("accepts %s", (_name, input) => {
    const result = validateEvent(input, NOW);
    expect(result.ok, JSON.stringify(result)).toBe(true);
  });

  it.each([
    ["three of these overflowed a sum", apiRequest(1.7e308), "value", "≤ 9007199254740991"],
    ["api_request over 24 h", apiRequest(VALUE_LIMITS.maxLatencyMs + 1), "value", "≤ 86400000 ms"],
    ["transaction over 1e12", transaction(1.000001e12), "value", "amount must be ≤ 1e12"],
    ["error over 2^53 - 1", error(MAX + 2), "value", "≤ 9007199254740991"],
    ["error under -(2^53 - 1)", error(-1e300), "value", "≥ -9007199254740991"],
    ["a numeric attr over 2^53 - 1", error(undefined, { big: 1.7e308 }), "attrs.big", "send larger numbers"],
    [
      "a numeric attr under the bound",
      error(undefined, { small: -1e16 }),
      "attrs.small",
      "≥ -9007199254740991",
    ],
  ])("rejects %s, naming the field and the bound", (_name, input, path, message) => {
    const result = validateEvent(input, NOW);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reasons).toEqual([
      expect.objectContaining({ path, message: expect.stringContaining(message) }),
    ]);
    expect(["invalid_value", "invalid_attrs", "schema_violation"]).toContain(result.reasons[0]?.code);
  });

  it("accepts a number for value or an attr exactly when it is within ±(2^53 − 1)", () => {
    const edge = fc.oneof(
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.constantFrom(MAX, MAX + 1, MAX + 2, -MAX, -MAX - 2, 2 ** 53, Number.MAX_VALUE, -0, 5e-324),
      fc.integer({ min: -1000, max: 1000 }).map((d) => MAX + d),
    );
    fc.assert(
      fc.property(edge, fc.boolean(), (n, asAttr) => {
        const result = validateEvent(asAttr ? error(undefined, { n }) : error(n), NOW);
        expect(result.ok).toBe(Math.abs(n) <= MAX);
      }),
      { numRuns: 2000 },
    );
  });
});
