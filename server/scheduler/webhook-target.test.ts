import { describe, expect, it } from "vitest";
import { refusedLiteral, refusedRange } from "./webhook-target";

describe("webhook targets", () => {
  it.each([
    ["127.0.0.1", "loopback"],
    ["127.8.9.10", "loopback"],
    ["10.1.2.3", "private"],
    ["172.16.0.1", "private"],
    ["192.168.1.1", "private"],
    ["169.254.169.254", "linkLocal"],
    ["100.64.0.1", "carrierGradeNat"],
    ["0.0.0.0", "unspecified"],
    ["224.0.0.1", "multicast"],
    ["255.255.255.255", "broadcast"],
    ["::1", "loopback"],
    ["::", "unspecified"],
    ["fe80::1", "linkLocal"],
    ["fd12:3456::1", "uniqueLocal"],
    ["::ffff:127.0.0.1", "loopback"],
    ["::ffff:169.254.169.254", "linkLocal"],
  ])("refuses %s (%s)", (address, range) => {
    expect(refusedRange(address)).toBe(range);
  });

  it.each(["8.8.8.8", "93.184.215.14", "2606:4700:4700::1111"])("allows the public address %s", (address) => {
    expect(refusedRange(address)).toBeNull();
  });

  it("refuses URLs whose host is a refused address, saying which and how to allow it", () => {
    expect(refusedLiteral("http://127.0.0.1:9000/hook")?.message).toBe(
      "refused: 127.0.0.1, a loopback address; set NOWCAST_WEBHOOK_ALLOW_PRIVATE=true to send webhooks to private networks",
    );
    expect(refusedLiteral("https://[::1]/x")?.message).toMatch(/^refused: ::1, a loopback address/);
    expect(refusedLiteral("http://[::ffff:a9fe:a9fe]/latest/meta-data")?.message).toMatch(/linkLocal/);
    // Names are checked where the connection resolves them (webhook-target.int.test.ts).
    expect(refusedLiteral("https://hooks.example.com/x")).toBeNull();
    expect(refusedLiteral("https://8.8.8.8/x")).toBeNull();
  });
});
