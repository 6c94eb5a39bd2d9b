import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ReasonCode, validateEvent, validatePayload } from "./index";

// The seed is fixed for every property (server/testing/fast-check-setup.ts): a failure prints it
// and the shrunk counterexample, and reproduces.
const RUNS = 3_000;
const NOW = Date.UTC(2026, 10, 25, 12, 0, 0);
const PARAMS = { numRuns: RUNS } as const;

/** Code units from every corner: controls, NUL, both surrogate halves, pairs, white space, BOM. */
const piece = fc.oneof(
  fc.constantFrom(
    "\u0000",
    "\r",
    "\n",
    "\t",
    "\u001f",
    "\u007f",
    "\u0085",
    "\u009f",
    "\u00a0",
    " ",
    "\u2028",
    "\ufeff",
    "\ufffd",
    "\uffff",
    "\ud800",
    "\udbff",
    "\udc00",
    "\udfff",
    "😀",
    "é",
    "/",
    "\\",
    '"',
    "__proto__",
    "constructor",
    "prototype",
  ),
  fc.string({ unit: "binary", maxLength: 4 }),
  fc.string({ unit: "grapheme-ascii", maxLength: 12 }),
);
const nastyString = fc.array(piece, { maxLength: 6 }).map((parts) => parts.join(""));

const edgeNumber = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(
    0,
    -0,
    1,
    1.5,
    -1,
    Number.MAX_SAFE_INTEGER,
    Number.MAX_SAFE_INTEGER + 2,
    Number.MIN_VALUE,
    Number.MAX_VALUE,
    -Number.MAX_VALUE,
    1e308,
    1_764_000_000,
    99_999_999_999,
    100_000_000_000,
    NOW,
    NOW + 300_000,
    NOW + 300_001,
    NOW * 1000,
    Infinity,
    -Infinity,
    NaN,
  ),
);
const scalar = fc.oneof(nastyString, edgeNumber, fc.boolean(), fc.constant(null));
const json = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: "small" }, scalar, tie("array"), tie("object")),
  array: fc.array(tie("value"), { maxLength: 3 }),
  object: fc.dictionary(nastyString, tie("value"), { maxKeys: 4 }),
})).value;

const timeText = fc
  .tuple(
    fc.integer({ min: 1960, max: 2030 }),
    fc.integer({ min: 0, max: 13 }),
    fc.integer({ min: 0, max: 32 }),
    fc.integer({ min: 0, max: 25 }),
    fc.integer({ min: 0, max: 61 }),
    fc.integer({ min: 0, max: 61 }),
  )
  .map((f) => {
    const [y, mo, d, h, mi, s] = f.map((n, i) => String(n).padStart(i === 0 ? 4 : 2, "0"));
    return `${y}-${mo}-${d}T${h}:${mi}:${s}Z`;
  });

const anAttrs = fc.oneof(
  fc.dictionary(nastyString, scalar, { maxKeys: 6 }).map((a) => ({ path: "/", ...a })),
  fc.dictionary(fc.constantFrom("path", "country", "device", "user_id", "note"), scalar),
  json,
);
const anEvent = fc.record(
  {
    id: fc.oneof(nastyString, fc.constantFrom("e-1", "evt 2", "ü-3"), edgeNumber),
    type: fc.oneof(
      fc.constantFrom("page_view", "signup", "error", "api_request", "transaction"),
      nastyString,
    ),
    ts: fc.oneof(edgeNumber, timeText, nastyString, fc.constant(new Date(NOW - 60_000).toISOString())),
    v: fc.oneof(fc.constant(1), edgeNumber, nastyString),
    source: nastyString,
    value: edgeNumber,
    attrs: anAttrs,
    extra: json,
  },
  { requiredKeys: [] },
);
/** A valid page view with a few fields drawn from the corners: about half of them pass. */
const nearlyValid = fc.record(
  {
    id: fc.oneof(fc.string({ unit: "grapheme", minLength: 1, maxLength: 16 }), nastyString),
    type: fc.constant("page_view"),
    ts: fc.oneof(fc.integer({ min: NOW - 3_600_000, max: NOW + 300_000 }), timeText),
    source: fc.oneof(fc.string({ unit: "grapheme-ascii", maxLength: 10 }), nastyString),
    attrs: fc
      .dictionary(
        nastyString,
        fc.oneof(nastyString, fc.double({ min: -1e9, max: 1e9 }), fc.double(), fc.boolean()),
        { maxKeys: 4 },
      )
      .map((a) => ({ ...a, path: "/p" })),
  },
  { requiredKeys: ["id", "type", "ts", "attrs"] },
);
const anInput = fc.oneof({ arbitrary: nearlyValid, weight: 4 }, { arbitrary: anEvent, weight: 1 }, json);

const strict = new TextDecoder("utf-8", { fatal: true });
function isUtf8(bytes: Uint8Array): boolean {
  try {
    strict.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

const LONE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const unstorable = (s: string) => s.includes("\u0000") || LONE.test(s);

/** What every accepted event must be: storable in Postgres and sendable as a NATS header. */
function assertStorable(event: Record<string, unknown>): void {
  const id = String(event.id);
  // eslint-disable-next-line no-control-regex -- control characters are what this test looks for
  expect(unstorable(id) || /[\u0000-\u001f\u007f-\u009f]/.test(id) || /^\s|\s$/.test(id)).toBe(false);
  for (const field of ["type", "source"]) {
    const text = event[field];
    if (typeof text === "string") expect(unstorable(text)).toBe(false);
  }
  const attrs = event.attrs as Record<string, unknown>;
  for (const [key, value] of Object.entries(attrs)) {
    expect(unstorable(key) || ["__proto__", "constructor", "prototype"].includes(key)).toBe(false);
    if (typeof value === "string") expect(unstorable(value)).toBe(false);
    if (typeof value === "number") expect(Math.abs(value) <= Number.MAX_SAFE_INTEGER).toBe(true);
  }
  expect(Object.getPrototypeOf(attrs)).toBe(Object.prototype);
  const ts = Number(event.ts);
  expect(ts >= 1e11 && ts <= NOW + 300_000).toBe(true);
  // It serialises to text Postgres's jsonb takes: no \u0000 escape, no escaped lone surrogate.
  expect(JSON.stringify(event)).not.toMatch(/\\u0000|\\ud[89ab][0-9a-f]{2}(?!\\ud[c-f])/i);
}

function assertRejection(reasons: { code: string; message: string; path: string }[]): void {
  expect(reasons.length).toBeGreaterThan(0);
  expect(reasons.length).toBeLessThanOrEqual(16);
  for (const reason of reasons) {
    expect(ReasonCode.options).toContain(reason.code);
    expect(reason.message.length).toBeGreaterThan(5);
    expect(unstorable(reason.message) || unstorable(reason.path)).toBe(false);
  }
}

describe("the event contract (fast-check)", () => {
  it("accepts only storable events and rejects everything else with reasons; never throws", () => {
    let accepted = 0;
    fc.assert(
      fc.property(anInput, (input) => {
        const result = validateEvent(input, NOW);
        accepted += result.ok ? 1 : 0;
        if (result.ok) assertStorable(result.event as unknown as Record<string, unknown>);
        else {
          assertRejection(result.reasons);
          if (result.id !== undefined) expect(unstorable(result.id)).toBe(false);
        }
      }),
      PARAMS,
    );
    // The generator must reach both sides, or the storability checks prove nothing.
    expect(accepted).toBeGreaterThan(RUNS / 20);
    expect(accepted).toBeLessThan(RUNS * 0.9);
  });

  it("gives a payload the same verdict as the event it encodes (NATS and HTTP alike)", () => {
    fc.assert(
      fc.property(anInput, (input) => {
        const text = JSON.stringify(input) ?? "null";
        const decoded: unknown = JSON.parse(text);
        const fromPayload = validatePayload(new TextEncoder().encode(text), NOW);
        if (new TextEncoder().encode(text).byteLength > 16_384) return;
        expect(fromPayload).toEqual(validateEvent(decoded, NOW));
      }),
      PARAMS,
    );
  });

  it("answers any bytes with a verdict, never an exception", () => {
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 64 }),
      fc.string({ unit: "binary", maxLength: 40 }).map((s) => new TextEncoder().encode(s)),
      anInput.map((v) => new TextEncoder().encode(`\ufeff${JSON.stringify(v) ?? ""}`)),
    );
    fc.assert(
      fc.property(bytes, (raw) => {
        const result = validatePayload(raw, NOW);
        if (result.ok) assertStorable(result.event as unknown as Record<string, unknown>);
        else assertRejection(result.reasons);
        // Bytes a strict decoder refuses are a dead letter of their own kind, never altered text.
        if (!isUtf8(raw))
          expect(result).toMatchObject({ ok: false, reasons: [{ code: "invalid_encoding" }] });
      }),
      PARAMS,
    );
  });

  it("reads an RFC 3339 time only when every field exists (no rolling over)", () => {
    fc.assert(
      fc.property(timeText, (ts) => {
        const [y, mo, d, h, mi, s] = (ts.match(/\d+/g) ?? []).map(Number);
        const ms = Date.UTC(y ?? 0, (mo ?? 0) - 1, d, h, mi, s);
        const back = new Date(ms);
        const exists =
          back.getUTCFullYear() === y &&
          back.getUTCMonth() + 1 === mo &&
          back.getUTCDate() === d &&
          back.getUTCHours() === h &&
          back.getUTCMinutes() === mi &&
          back.getUTCSeconds() === s;
        const result = validateEvent({ id: "t", type: "signup", ts, attrs: { user_id: "u" } }, NOW);
        expect(result.ok).toBe(exists && ms >= 1e11 && ms <= NOW + 300_000);
        if (result.ok) expect(result.event.ts).toBe(ms);
      }),
      PARAMS,
    );
  });
});
