import type { FraudRuleSet, FraudRuleSetVersion } from "../contract/fraud";

export interface RuleSetSource {
  load(version: number | null): Promise<FraudRuleSetVersion | null>;
  /** Stores the default set as version 1 when no version exists yet. */
  seed(): Promise<void>;
}

/**
 * The rule set of the newest version, kept per process: each decision reads the newest version
 * number in its own feature query, so a save reaches every instance with the next decision
 * (no notification to miss) and a set is loaded once per version.
 */
export class RuleSetCache {
  private current: { version: number; set: FraudRuleSet } | null = null;
  private loading: Promise<{ version: number; set: FraudRuleSet }> | null = null;

  constructor(private readonly source: RuleSetSource) {}

  async get(version: number | null): Promise<{ version: number; set: FraudRuleSet }> {
    if (version !== null && this.current?.version === version) return this.current;
    this.loading ??= this.fetch(version).finally(() => (this.loading = null));
    const loaded = await this.loading;
    // A concurrent load may have fetched another version; ask again for the one named.
    return version === null || loaded.version === version ? loaded : this.fetch(version);
  }

  private async fetch(version: number | null) {
    if (version === null) await this.source.seed();
    const row = await this.source.load(version);
    if (!row) throw new Error(`fraud rule set version ${version ?? "newest"} is not stored`);
    const entry = { version: row.version, set: row.ruleSet };
    if (!this.current || entry.version >= this.current.version) this.current = entry;
    return entry;
  }
}
