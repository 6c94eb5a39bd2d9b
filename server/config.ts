import { z } from "zod";
import { HISTORY_DAYS } from "./core/fraud/features";
import type { RetentionPolicy } from "./core/retention";

/**
 * Process configuration, read once from the environment at start-up.
 * A bad value stops the process with a message naming the variable;
 * nothing else in the code base reads process.env.
 */
export const Config = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgresql:// URL")
    .default("postgresql://postgres@127.0.0.1:5432/nowcast"),
  NATS_URL: z
    .string()
    .regex(/^(nats|tls):\/\//, "must be a nats:// URL")
    .default("nats://127.0.0.1:4222"),
  HOST: z.string().min(1).default("0.0.0.0"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  /** Prefix of every subject, stream and consumer name; tests use their own to stay isolated. */
  NOWCAST_NAMESPACE: z
    .string()
    .regex(/^[a-z][a-z0-9_]{0,31}$/, "must match [a-z][a-z0-9_]{0,31}")
    .default("nowcast"),
  /** How long JetStream remembers message ids for de-duplication at publish time. */
  NOWCAST_DEDUP_WINDOW_S: z.coerce.number().int().min(1).max(86_400).default(120),
  PROCESSOR_BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).default(1000),
  PROCESSOR_BATCH_WAIT_MS: z.coerce.number().int().min(1).max(5000).default(50),
  /** How long JetStream waits for an ack before redelivering (a crashed processor's batch). */
  PROCESSOR_ACK_WAIT_MS: z.coerce.number().int().min(1_000).max(600_000).default(30_000),
  /** Messages delivered but not yet acked at most; bounds processor memory. */
  PROCESSOR_MAX_IN_FLIGHT: z.coerce.number().int().min(1).max(100_000).default(4000),
  /** Watermark = max event time seen − this. */
  NOWCAST_OUT_OF_ORDERNESS_MS: z.coerce.number().int().min(0).max(3_600_000).default(5_000),
  /** Events this far behind the watermark still revise their bucket; older ones are too late. */
  NOWCAST_ALLOWED_LATENESS_MS: z.coerce.number().int().min(0).max(86_400_000).default(600_000),
  /**
   * With nothing delivered or pending for this long, the processor moves its event-time clock
   * to the processing time and commits it, so the last buckets turn final on an idle stream.
   */
  NOWCAST_IDLE_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(10_000),
  /**
   * `/api/health` and the pipeline panel call the processor stalled when messages have waited
   * this long and its checkpoint has not advanced for this long either.
   */
  NOWCAST_STALL_AFTER_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(30_000),
  /** How often the processor re-reads metric definitions (changes apply without a restart). */
  METRIC_DEFINITIONS_REFRESH_MS: z.coerce.number().int().min(100).max(600_000).default(2_000),
  /** Signs session cookies; required (≥ 32 characters) when NODE_ENV=production. */
  NOWCAST_AUTH_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  /** The URL users open (e.g. https://nowcast.example.com); https turns on Secure cookies and HSTS. */
  NOWCAST_PUBLIC_URL: z.url("must be an http(s) URL").optional(),
  /** Sessions end this many hours after the last refresh. */
  AUTH_SESSION_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 30)
    .default(12),
  /** A verified API key is trusted this long without asking Postgres (revocations are announced at once). */
  AUTH_KEY_CACHE_TTL_MS: z.coerce.number().int().min(0).max(3_600_000).default(60_000),
  /** While Postgres cannot be reached, a key verified within this long still passes (0: never). */
  AUTH_KEY_OUTAGE_GRACE_MS: z.coerce.number().int().min(0).max(86_400_000).default(900_000),
  /** How often each web instance re-checks the sessions of its open sockets (expiry, lost announcements). */
  AUTH_SOCKET_RECHECK_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(60_000),
  /** Sign-in attempts per client address per minute before throttling. */
  AUTH_SIGNIN_PER_MINUTE: z.coerce.number().int().min(1).max(10_000).default(5),
  /** Proxies whose X-Forwarded-For is believed (comma-separated addresses or CIDR ranges). */
  NOWCAST_TRUSTED_PROXIES: z
    .string()
    .default("")
    .transform((v) =>
      v
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .pipe(
      z.array(z.union([z.ipv4(), z.ipv6(), z.cidrv4(), z.cidrv6()], "must be IP addresses or CIDR ranges")),
    ),
  /** Initial admin password for `npm run demo` (generated and printed once when unset). */
  NOWCAST_ADMIN_PASSWORD: z.string().min(12, "must be at least 12 characters").optional(),
  /** A `score` API key: the simulator sends its card transactions to POST /api/transactions/score. */
  NOWCAST_SIMULATOR_SCORE_KEY: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
  /** Scheduler: how often it plans compaction and reconciliation (enqueued as a pg-boss job). */
  SCHEDULER_PLAN_INTERVAL_MS: z.coerce.number().int().min(500).max(3_600_000).default(15_000),
  /** Scheduler: first retry delay of a failed job (doubles with each retry), and retries at most. */
  SCHEDULER_RETRY_DELAY_S: z.coerce.number().int().min(1).max(3600).default(10),
  SCHEDULER_RETRY_LIMIT: z.coerce.number().int().min(0).max(100).default(6),
  /** Closed hours younger than this are reconciled against raw events (and again after too-late events). */
  RECONCILE_WINDOW_DAYS: z.coerce.number().int().min(1).max(90).default(7),
  /** Retention per tier, in days (see README: raw ≥ reconciliation window; 1m covers half-hour-zone days). */
  RETENTION_RAW_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  RETENTION_1M_DAYS: z.coerce.number().int().min(1).max(3650).default(190),
  RETENTION_1H_DAYS: z.coerce.number().int().min(1).max(3650).default(400),
  RETENTION_1D_DAYS: z.coerce.number().int().min(1).max(36500).default(1830),
  RETENTION_JOB_HISTORY_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  /** Web: fraud decision transactions at once per instance (group commit, docs/decisions/0035). */
  NOWCAST_SCORE_GROUPS: z.coerce.number().int().min(1).max(32).default(4),
  /** Fraud decisions (labels go with them) and the customer day rollups the scoring reads. */
  RETENTION_FRAUD_DAYS: z.coerce.number().int().min(1).max(3650).default(400),
  /** Alerter: every rule is re-evaluated this often besides on each live batch (pending, keep-firing, no data). */
  ALERT_TICK_MS: z.coerce.number().int().min(100).max(60_000).default(1_000),
  /** Alerter: how often it re-reads rules and silences, and tries to take free rule slots. */
  ALERT_REFRESH_MS: z.coerce.number().int().min(100).max(60_000).default(2_000),
  /** Alerter: how many of the 16 rule slots one instance may own (16 = all; lower to spread rules). */
  ALERT_EVALUATOR_SLOTS: z.coerce.number().int().min(1).max(16).default(16),
  /** Scheduler: attempts of a webhook delivery before it is marked failed (first retry after 2 s, doubling). */
  ALERT_WEBHOOK_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(6),
  ALERT_WEBHOOK_RETRY_DELAY_S: z.coerce.number().int().min(1).max(3600).default(2),
  /**
   * Scheduler: webhooks may go to loopback, private, link-local and other non-public addresses
   * (a receiver on the same host or network). Off by default: an admin-entered URL could
   * otherwise reach the metadata service or the database from inside.
   */
  NOWCAST_WEBHOOK_ALLOW_PRIVATE: z
    .enum(["true", "false"], { message: 'must be "true" or "false"' })
    .default("false")
    .transform((v) => v === "true"),
});
export type Config = z.infer<typeof Config>;

/** The retention the scheduler applies, from the RETENTION_* variables. */
export const retentionPolicy = (c: Config): RetentionPolicy => ({
  rawDays: c.RETENTION_RAW_DAYS,
  minuteDays: c.RETENTION_1M_DAYS,
  hourDays: c.RETENTION_1H_DAYS,
  dayDays: c.RETENTION_1D_DAYS,
  historyDays: c.RETENTION_JOB_HISTORY_DAYS,
  fraudDays: c.RETENTION_FRAUD_DAYS,
});

/** The default retention (every RETENTION_* variable unset), for tests and benches. */
export const defaultRetention = (): RetentionPolicy => retentionPolicy(parseConfig({}));

/** Rules between variables; each issue names the variable to change. */
function crossFieldIssues(c: Config): { path: string; message: string }[] {
  const issues: { path: string; message: string }[] = [];
  const atLeast = (name: keyof Config, value: number, min: number, why: string) => {
    if (value < min) issues.push({ path: name, message: `must be ≥ ${min} (${why})` });
  };
  const window = c.RECONCILE_WINDOW_DAYS;
  atLeast(
    "RETENTION_RAW_DAYS",
    c.RETENTION_RAW_DAYS,
    window + 1,
    "RECONCILE_WINDOW_DAYS + 1: reconciliation reads raw events",
  );
  atLeast(
    "RETENTION_FRAUD_DAYS",
    c.RETENTION_FRAUD_DAYS,
    HISTORY_DAYS + window + 1,
    `${HISTORY_DAYS} + RECONCILE_WINDOW_DAYS + 1: the amount history of the oldest transaction scoring accepts`,
  );
  atLeast(
    "RETENTION_1M_DAYS",
    c.RETENTION_1M_DAYS,
    window + 1,
    "RECONCILE_WINDOW_DAYS + 1: reconciliation repairs 1m rows",
  );
  atLeast(
    "RETENTION_1H_DAYS",
    c.RETENTION_1H_DAYS,
    c.RETENTION_1M_DAYS,
    "RETENTION_1M_DAYS: coarser tiers outlive finer ones",
  );
  atLeast(
    "RETENTION_1D_DAYS",
    c.RETENTION_1D_DAYS,
    c.RETENTION_1H_DAYS,
    "RETENTION_1H_DAYS: coarser tiers outlive finer ones",
  );
  return issues;
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

export function parseConfig(env: Record<string, string | undefined>): Config {
  const result = Config.safeParse(env);
  const issues = result.success
    ? crossFieldIssues(result.data)
    : result.error.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
  if (!result.success || issues.length > 0) {
    const lines = issues.map((i) => `  ${i.path}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join("\n")}`);
  }
  return result.data;
}

let cached: Config | undefined;

/** The configuration of this process (parsed on first use). */
export function loadConfig(): Config {
  cached ??= parseConfig(process.env);
  return cached;
}

/** Names derived from the namespace, so producers and tests agree on them. */
export function natsNames(namespace: string) {
  return {
    stream: `${namespace.toUpperCase()}_EVENTS`,
    eventSubjectPrefix: `${namespace}.events`,
    eventSubjects: `${namespace}.events.>`,
    /** Inputs `POST /api/ingest` rejected, on their way to the dead-letter table (same stream). */
    httpRejectionSubject: `${namespace}.rejected.http`,
    rejectedSubjects: `${namespace}.rejected.>`,
    liveSubjectPrefix: `${namespace}.live`,
    /** Alert transitions for the web role's alert bar and toasts (core NATS). */
    alertSubject: `${namespace}.live.alerts`,
    durable: `${namespace}_processor`,
    /** Postgres schema of the scheduler's pg-boss tables. */
    bossSchema: `${namespace}_boss`,
  };
}
