import { LRUCache } from "lru-cache";
import type { ApiKeyScope } from "../contract/auth";

/** A key as verified against `api_keys`: what authorization needs, never the secret. */
export interface VerifiedKey {
  id: string;
  name: string;
  scope: ApiKeyScope;
}

export type CachedVerdict =
  /** Verified less than `freshMs` ago: trusted without asking Postgres. */
  | { kind: "fresh"; key: VerifiedKey }
  /** Verified within `graceMs`: used only when Postgres cannot be asked (an outage). */
  | { kind: "stale"; key: VerifiedKey }
  /** Revoked (announced or seen): refused without asking anyone. */
  | { kind: "revoked" }
  | { kind: "unknown" };

type Entry = { key: VerifiedKey; verifiedAt: number } | { revokedId: string };

/**
 * Verified API keys of one web process, by SHA-256 of the secret. A revocation turns every
 * entry of that key into a tombstone at once (revoked keys never come back), so it applies to
 * the very next request of this process; Postgres is asked again once an entry is older than
 * `freshMs`, and an entry older than `graceMs` is forgotten. Time is passed in (`now`).
 */
export class ApiKeyCache {
  private readonly entries: LRUCache<string, Entry>;
  private readonly touchedAt = new Map<string, number>();

  constructor(
    private readonly options: { freshMs: number; graceMs: number; max?: number; now?: () => number },
  ) {
    this.entries = new LRUCache({ max: options.max ?? 10_000 });
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  lookup(hash: string): CachedVerdict {
    const entry = this.entries.get(hash);
    if (!entry) return { kind: "unknown" };
    if ("revokedId" in entry) return { kind: "revoked" };
    const age = this.now() - entry.verifiedAt;
    if (age < this.options.freshMs) return { kind: "fresh", key: entry.key };
    if (age < this.options.graceMs) return { kind: "stale", key: entry.key };
    this.entries.delete(hash);
    return { kind: "unknown" };
  }

  remember(hash: string, key: VerifiedKey): void {
    this.entries.set(hash, { key, verifiedAt: this.now() });
  }

  /** Postgres no longer knows this secret as a live key. */
  forget(hash: string): void {
    this.entries.delete(hash);
  }

  /** This key was revoked: refuse it from now on. */
  revoke(keyId: string): void {
    for (const [hash, entry] of this.entries.entries())
      if ("key" in entry && entry.key.id === keyId) this.entries.set(hash, { revokedId: keyId });
    this.touchedAt.delete(keyId);
  }

  /** Whether `last_used_at` is due (at most once a minute per key); marks it done when it is. */
  touchDue(keyId: string, everyMs = 60_000): boolean {
    const now = this.now();
    const last = this.touchedAt.get(keyId);
    if (last !== undefined && now - last < everyMs) return false;
    this.touchedAt.set(keyId, now);
    return true;
  }
}
