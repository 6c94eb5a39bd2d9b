import { FraudRuleSet, type FraudRuleSetVersion } from "../contract/fraud";

export interface RuleSetSource {
  load(version: number | null): Promise<FraudRuleSetVersion | null>;
  /** Stores the default set as version 1 when no version exists yet. */
  seed(): Promise<void>;
}

type Entry = { version: number; set: FraudRuleSet };

/**
 * The rule set of the newest version, kept per process: each decision reads the newest version
 * number in its own feature query, so a save reaches every instance with the next decision
 * (no notification to miss) and a set is loaded once per version.
 */
export class RuleSetCache {
  private current: Entry | null = null;
  private preparing: Promise<void> | null = null;

  constructor(private readonly source: RuleSetSource) {}

  /** Seeds and loads the newest set once per process; outside any transaction. */
  async prepare(): Promise<void> {
    if (this.current) return;
    this.preparing ??= (async () => {
      await this.source.seed();
      const row = await this.source.load(null);
      if (!row) throw new Error("no fraud rule set is stored after seeding");
      this.keep({ version: row.version, set: row.ruleSet });
    })().finally(() => (this.preparing = null));
    await this.preparing;
  }

  /** The set of `version`; one not cached is read with `load` (the caller's own connection). */
  async get(version: number | null, load: (version: number) => Promise<unknown>): Promise<Entry> {
    if (version === null) {
      if (!this.current) throw new Error("no fraud rule set is stored (prepare() seeds one)");
      return this.current;
    }
    if (this.current?.version === version) return this.current;
    // Rows are validated where they enter the app.
    const entry = { version, set: FraudRuleSet.parse(await load(version)) };
    this.keep(entry);
    return entry;
  }

  private keep(entry: Entry): void {
    if (!this.current || entry.version >= this.current.version) this.current = entry;
  }
}
