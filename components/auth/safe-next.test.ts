import { describe, expect, it } from "vitest";
import { safeNext } from "./safe-next";

// Every form a browser (or a router that decodes once more) turns into another site, next to
// the same-site paths that must survive sign-in unchanged.
describe("safeNext", () => {
  it.each([
    ["/reports?range=7d", "/reports?range=7d"],
    ["/admin/audit?shared=link#top", "/admin/audit?shared=link#top"],
    [
      "/reports?from=2026-11-01T00%3A00%3A00Z&tz=America%2FNew_York",
      "/reports?from=2026-11-01T00%3A00%3A00Z&tz=America%2FNew_York",
    ],
    ["/x?next=//evil.example", "/x?next=//evil.example"],
    ["/a/../jobs", "/jobs"],
  ])("keeps the same-site path %j", (input, expected) => {
    expect(safeNext(input)).toBe(expected);
  });

  it.each([
    [null],
    [""],
    ["live"],
    ["https://evil.example"],
    ["http:evil.example"],
    ["//evil.example/path"],
    ["///evil.example"],
    ["/\\evil.example"],
    ["\\/evil.example"],
    ["/\\/evil.example"],
    ["/%2F%2Fevil.example"],
    ["/%2f/evil.example"],
    ["/%5Cevil.example"],
    ["/%09/evil.example"],
    ["/\t/evil.example"],
    ["/\n/evil.example"],
    ["/\r\n/evil.example"],
    [" //evil.example"],
    ["/\u0000/evil.example"],
    ["/.//evil.example"],
    ["/a/../..//evil.example"],
    ["/%2e%2e//evil.example"],
    ["javascript:alert(1)"],
    ["JavaScript:alert(1)"],
    ["data:text/html,<script>alert(1)</script>"],
    [`/${"a".repeat(3000)}`],
  ])("refuses %j and goes to /live", (input) => {
    expect(safeNext(input)).toBe("/live");
  });
});
