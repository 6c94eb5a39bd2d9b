import { describe, expect, it } from "vitest";
import type { NextConfig } from "next";
import { SECURITY_HEADERS } from "./security-headers";

describe("security headers", () => {
  it("are the same for the routes the custom server answers as for everything Next serves", async () => {
    const file = new URL("../../next.config.mjs", import.meta.url).href;
    const nextConfig = ((await import(/* @vite-ignore */ file)) as { default: NextConfig }).default;
    const rules = (await nextConfig.headers?.()) ?? [];
    const all = rules.find((r) => r.source === "/:path*");
    const fromNext = Object.fromEntries((all?.headers ?? []).map((h) => [h.key, h.value]));
    expect(fromNext).toEqual(SECURITY_HEADERS);
  });
});
