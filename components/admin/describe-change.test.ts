import { describe, expect, it } from "vitest";
import { describeChange } from "./AuditLog";

describe("describeChange", () => {
  it.each([
    [
      { before: { role: "viewer", disabled: false }, after: { role: "admin", disabled: false } },
      'role: "viewer" → "admin"',
    ],
    [{ before: null, after: { email: "a@b.c" } }, 'email: — → "a@b.c"'],
    [{ before: { a: 1 }, after: { a: 1 } }, "no field changed"],
    [{ before: { name: "<b>x</b>" }, after: { name: "y" } }, 'name: "<b>x</b>" → "y"'],
  ])("%j", (entry, text) => {
    expect(describeChange(entry)).toBe(text);
  });
});
