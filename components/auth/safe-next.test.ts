import { describe, expect, it } from "vitest";
import { safeNext } from "./safe-next";

describe("safeNext", () => {
  it.each([
    ["/reports?range=7d", "/reports?range=7d"],
    [null, "/live"],
    ["", "/live"],
    ["https://evil.example", "/live"],
    ["//evil.example/path", "/live"],
    ["/\\evil.example", "/live"],
    ["javascript:alert(1)", "/live"],
  ])("%s → %s", (input, expected) => {
    expect(safeNext(input)).toBe(expected);
  });
});
