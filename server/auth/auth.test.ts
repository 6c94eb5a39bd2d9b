import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../config";
import { authSecret } from "./auth";

describe("authSecret", () => {
  it("refuses production without NOWCAST_AUTH_SECRET, naming the variable", () => {
    const config = parseConfig({ NODE_ENV: "production" });
    expect(() => authSecret(config)).toThrow(ConfigError);
    expect(() => authSecret(config)).toThrow(/NOWCAST_AUTH_SECRET/);
  });
  it("uses the configured secret", () => {
    const secret = "s".repeat(40);
    expect(authSecret(parseConfig({ NODE_ENV: "production", NOWCAST_AUTH_SECRET: secret }))).toBe(secret);
  });
  it("rejects a short secret at start-up", () => {
    expect(() => parseConfig({ NOWCAST_AUTH_SECRET: "short" })).toThrow(/NOWCAST_AUTH_SECRET/);
  });
  it("rejects malformed trusted proxies, naming the variable", () => {
    expect(() => parseConfig({ NOWCAST_TRUSTED_PROXIES: "10.0.0.0/8, nonsense" })).toThrow(
      /NOWCAST_TRUSTED_PROXIES/,
    );
    expect(parseConfig({ NOWCAST_TRUSTED_PROXIES: "10.0.0.0/8, ::1" }).NOWCAST_TRUSTED_PROXIES).toEqual([
      "10.0.0.0/8",
      "::1",
    ]);
  });
});
