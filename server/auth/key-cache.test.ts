import { describe, expect, it } from "vitest";
import { ApiKeyCache } from "./key-cache";

const KEY = { id: "k1", name: "shop", scope: "ingest" as const };

function cacheAt(start = 1_000_000) {
  const clock = { now: start };
  const cache = new ApiKeyCache({ freshMs: 60_000, graceMs: 900_000, now: () => clock.now });
  return { cache, clock };
}

describe("ApiKeyCache", () => {
  it("is fresh for the TTL, then stale (outage use only) until the grace ends, then unknown", () => {
    const { cache, clock } = cacheAt();
    expect(cache.lookup("h")).toEqual({ kind: "unknown" });
    cache.remember("h", KEY);
    expect(cache.lookup("h")).toEqual({ kind: "fresh", key: KEY });
    clock.now += 59_999;
    expect(cache.lookup("h").kind).toBe("fresh");
    clock.now += 1;
    expect(cache.lookup("h")).toEqual({ kind: "stale", key: KEY });
    clock.now += 900_000 - 60_000 - 1;
    expect(cache.lookup("h").kind).toBe("stale");
    clock.now += 1;
    expect(cache.lookup("h")).toEqual({ kind: "unknown" });
  });

  it("refuses every secret of a revoked key at once, and for good", () => {
    const { cache, clock } = cacheAt();
    cache.remember("h1", KEY);
    cache.remember("h2", { ...KEY, id: "k2" });
    cache.revoke("k1");
    expect(cache.lookup("h1")).toEqual({ kind: "revoked" });
    expect(cache.lookup("h2").kind).toBe("fresh");
    clock.now += 10 * 900_000;
    expect(cache.lookup("h1")).toEqual({ kind: "revoked" });
    // Revoking a key this process never saw changes nothing.
    cache.revoke("k9");
    expect(cache.lookup("h2").kind).toBe("unknown");
  });

  it("asks for last_used_at at most once a minute per key", () => {
    const { cache, clock } = cacheAt();
    expect(cache.touchDue("k1")).toBe(true);
    expect(cache.touchDue("k1")).toBe(false);
    expect(cache.touchDue("k2")).toBe(true);
    clock.now += 60_000;
    expect(cache.touchDue("k1")).toBe(true);
  });
});
