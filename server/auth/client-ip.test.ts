import { describe, expect, it } from "vitest";
import { clientIp, trustedProxies } from "./client-ip";

describe("clientIp", () => {
  const none = trustedProxies([]);
  const proxy = trustedProxies(["10.0.0.0/8", "::1"]);
  it.each([
    ["the peer when nothing is trusted", "203.0.113.9", "1.2.3.4", none, "203.0.113.9"],
    ["the peer, ignoring a forged header", "203.0.113.9", "10.0.0.5", proxy, "203.0.113.9"],
    ["the forwarded client behind a trusted proxy", "10.0.0.2", "198.51.100.7", proxy, "198.51.100.7"],
    ["the right-most untrusted hop", "10.0.0.2", "6.6.6.6, 198.51.100.7, 10.0.0.3", proxy, "198.51.100.7"],
    ["an IPv4-mapped peer as IPv4", "::ffff:203.0.113.9", undefined, none, "203.0.113.9"],
    ["the peer when every hop is a proxy", "::1", "10.1.1.1", proxy, "::1"],
    ["the peer when the header is garbage", "10.0.0.2", "not-an-ip", proxy, "10.0.0.2"],
  ])("%s", (_, peer, forwarded, trusted, expected) => {
    expect(clientIp(peer, forwarded, trusted)).toBe(expected);
  });
});
