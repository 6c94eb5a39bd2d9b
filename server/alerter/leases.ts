import pg from "pg";
import { errorFields, type Logger } from "../log";

/** Rules are spread over this many slots; each slot is one session advisory lock. */
export const RULE_SLOTS = 16;
const LOCK_CLASS = 727_220_012;

/** The slot of a rule: a stable hash of its id. */
export function slotOf(ruleId: string): number {
  let h = 2166136261;
  for (let i = 0; i < ruleId.length; i++) h = Math.imul(h ^ ruleId.charCodeAt(i), 16777619);
  return (h >>> 0) % RULE_SLOTS;
}

/**
 * Which rules this evaluator may act on: the slots whose session advisory lock it holds on its
 * own connection (docs/decisions/0028). A process that dies (kill -9 included) closes its
 * connection and Postgres frees its slots; another evaluator takes them on its next try. Writes
 * are also compare-and-set on the instance's seq, so a handover cannot record anything twice.
 */
export class RuleLeases {
  private client: pg.Client | null = null;
  private readonly held = new Set<number>();

  constructor(
    private readonly databaseUrl: string,
    private readonly maxSlots: number,
    private readonly log: Logger,
  ) {}

  owns(ruleId: string): boolean {
    return this.held.has(slotOf(ruleId));
  }

  get slots(): number[] {
    return [...this.held].sort((a, b) => a - b);
  }

  /** Tries to take free slots (up to maxSlots); returns the slots gained. */
  async renew(): Promise<number[]> {
    const client = await this.connection();
    if (!client) return [];
    const gained: number[] = [];
    try {
      await client.query("SELECT 1");
      for (let slot = 0; slot < RULE_SLOTS && this.held.size < this.maxSlots; slot++) {
        if (this.held.has(slot)) continue;
        const { rows } = await client.query<{ ok: boolean }>("SELECT pg_try_advisory_lock($1, $2) AS ok", [
          LOCK_CLASS,
          slot,
        ]);
        if (rows[0]?.ok) {
          this.held.add(slot);
          gained.push(slot);
        }
      }
    } catch (error) {
      this.lost(error);
    }
    return gained;
  }

  private async connection(): Promise<pg.Client | null> {
    if (this.client) return this.client;
    const client = new pg.Client({
      connectionString: this.databaseUrl,
      application_name: "nowcast-alerter-leases",
    });
    client.on("error", (error) => this.lost(error));
    try {
      await client.connect();
      this.client = client;
      return client;
    } catch (error) {
      this.log.warn("could not connect for rule leases", errorFields(error));
      return null;
    }
  }

  private lost(error: unknown): void {
    if (this.held.size > 0)
      this.log.warn("lost the rule leases", { slots: this.slots, ...errorFields(error) });
    this.held.clear();
    const client = this.client;
    this.client = null;
    void client?.end().catch(() => undefined);
  }

  async close(): Promise<void> {
    this.held.clear();
    await this.client?.end().catch(() => undefined);
    this.client = null;
  }
}
