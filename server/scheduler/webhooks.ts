import type { JobResult, PgBoss } from "pg-boss";
import pg from "pg";
import { openSecret, signatureHeader } from "../alerts/crypto";
import { inTransaction } from "../db/clients";
import { errorFields, type Logger } from "../log";
import { ensureQueues } from "./boss-schema";
import { fetch as undiciFetch, type Response as UndiciResponse } from "undici";
import { guardedDispatcher, refusedLiteral, WebhookTargetRefused } from "./webhook-target";

export const WEBHOOK_QUEUE = "alert-webhook";
const TIMEOUT_MS = 5_000;
const EXCERPT_BYTES = 1024;
const DISPATCH_EVERY_MS = 1_000;

export interface WebhookSettings {
  databaseUrl: string;
  masterSecret: string;
  /** Attempts before a delivery is marked failed. */
  attempts: number;
  retryDelaySeconds: number;
  /** Send to loopback, private and link-local addresses too (NOWCAST_WEBHOOK_ALLOW_PRIVATE). */
  allowPrivate: boolean;
  pollingIntervalSeconds?: number;
  now?: () => number;
}

interface DeliveryRow {
  id: string;
  event_id: string | null;
  payload: unknown;
  status: string;
  attempts: number;
  url: string;
  secret_sealed: string;
}

/** Reads at most the first KiB of a response body, then stops reading. */
async function excerpt(response: UndiciResponse): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < EXCERPT_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).subarray(0, EXCERPT_BYTES).toString("utf8");
}

export interface WebhookResult {
  status: number | null;
  excerpt: string;
  error: string | null;
  /** The target address is not allowed: retrying cannot help. */
  refused?: boolean;
}

let guarded: ReturnType<typeof guardedDispatcher> | undefined;

/**
 * One POST: signed, idempotency key, no redirects followed, 5 s timeout. Unless private targets
 * are allowed, the connection only goes to public addresses (checked on the resolved address
 * the connection uses: no DNS rebinding), so a webhook cannot reach the cloud metadata service,
 * the database or anything else on the scheduler's own network.
 */
export async function postWebhook(
  url: string,
  secret: string,
  body: string,
  idempotencyKey: string,
  now: number,
  options: { allowPrivate: boolean },
): Promise<WebhookResult> {
  if (!options.allowPrivate) {
    const literal = refusedLiteral(url);
    if (literal) return { status: null, excerpt: "", error: literal.message, refused: true };
  }
  try {
    const response = await undiciFetch(url, {
      method: "POST",
      redirect: "manual",
      ...(options.allowPrivate ? {} : { dispatcher: (guarded ??= guardedDispatcher()) }),
      signal: AbortSignal.timeout(TIMEOUT_MS),
      headers: {
        "content-type": "application/json",
        "user-agent": "nowcast-alerts/1",
        "x-nowcast-signature": signatureHeader(secret, body, Math.floor(now / 1000)),
        "idempotency-key": idempotencyKey,
      },
      body,
    });
    const text = await excerpt(response);
    const redirect = response.status >= 300 && response.status < 400;
    return { status: response.status, excerpt: text, error: redirect ? "redirect not followed" : null };
  } catch (error) {
    const cause = error instanceof Error ? error.cause : undefined;
    if (cause instanceof WebhookTargetRefused)
      return { status: null, excerpt: "", error: cause.message, refused: true };
    const timeout = error instanceof Error && error.name === "TimeoutError";
    return {
      status: null,
      excerpt: "",
      error: timeout ? "timed out after 5 s" : (errorFields(error).error as string),
    };
  }
}

/**
 * Sends alert_deliveries (the evaluator's outbox) through pg-boss: a dispatcher turns each
 * pending row into one job (singleton per delivery) in the same transaction that marks it
 * queued, woken by the evaluator's NOTIFY and by a 1 s poll; the worker posts it, records the
 * attempt and throws on failure so pg-boss retries with exponential back-off, until the
 * attempts are used up and the delivery is `failed`.
 */
export async function startWebhooks(boss: PgBoss, pool: pg.Pool, log: Logger, settings: WebhookSettings) {
  const now = settings.now ?? Date.now;
  await ensureQueues(boss, [WEBHOOK_QUEUE], "stately", {
    retryLimit: settings.attempts,
    retryDelay: settings.retryDelaySeconds,
    retryBackoff: true,
    expireInSeconds: 60,
  });
  let dispatching: Promise<void> | null = null;
  let again = false;
  const dispatch = (): void => {
    if (dispatching) {
      again = true;
      return;
    }
    dispatching = dispatchPending(boss, pool)
      .catch((error: unknown) => log.warn("could not queue webhook deliveries", errorFields(error)))
      .finally(() => {
        dispatching = null;
        if (again) {
          again = false;
          dispatch();
        }
      });
  };
  const listener = await listen(settings.databaseUrl, dispatch, log);
  const timer = setInterval(dispatch, DISPATCH_EVERY_MS);
  dispatch();

  const polling = {
    pollingIntervalSeconds: settings.pollingIntervalSeconds ?? 0.5,
    batchSize: 10,
    burstWhenBatchFull: true,
    perJobResults: true,
  } as const;
  // Each delivery settles on its own: one failing receiver does not retry the others.
  await boss.work<{ deliveryId: string }, unknown, typeof polling>(WEBHOOK_QUEUE, polling, async (jobs) => {
    const results: JobResult[] = [];
    for (const job of jobs) {
      try {
        await attempt(pool, job.data.deliveryId, settings, now());
        results.push({ id: job.id, status: "completed", output: {} });
      } catch (error) {
        results.push({ id: job.id, status: "failed", output: { error: errorFields(error).error } });
      }
    }
    return results;
  });
  return {
    async stop() {
      clearInterval(timer);
      await listener.end().catch(() => undefined);
      await dispatching;
    },
  };
}

async function listen(databaseUrl: string, onNotify: () => void, log: Logger): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: databaseUrl, application_name: "nowcast-webhooks" });
  // Without the listener the 1 s poll still finds every delivery.
  client.on("error", (error) => log.warn("webhook listener lost its connection", errorFields(error)));
  client.on("notification", onNotify);
  await client.connect();
  await client.query("LISTEN alert_deliveries");
  return client;
}

async function dispatchPending(boss: PgBoss, pool: pg.Pool): Promise<void> {
  for (;;) {
    const queued = await inTransaction(pool, async (tx) => {
      const { rows } = await tx.query<{ id: string }>(
        `SELECT id FROM alert_deliveries WHERE status = 'pending' ORDER BY created_at LIMIT 100 FOR UPDATE SKIP LOCKED`,
      );
      const db = { executeSql: (text: string, values?: unknown[]) => tx.query(text, values) };
      for (const { id } of rows) await boss.send(WEBHOOK_QUEUE, { deliveryId: id }, { singletonKey: id, db });
      if (rows.length > 0)
        await tx.query(
          `UPDATE alert_deliveries SET status = 'queued', updated_at = now() WHERE id = ANY($1::text[])`,
          [rows.map((r) => r.id)],
        );
      return rows.length;
    });
    if (queued < 100) return;
  }
}

async function attempt(
  pool: pg.Pool,
  deliveryId: string,
  settings: WebhookSettings,
  now: number,
): Promise<void> {
  const { rows } = await pool.query<DeliveryRow>(
    `SELECT d.id, d.event_id, d.payload, d.status, d.attempts, c.url, c.secret_sealed
     FROM alert_deliveries d JOIN alert_channels c ON c.id = d.channel_id WHERE d.id = $1`,
    [deliveryId],
  );
  const d = rows[0];
  // Gone (channel deleted) or settled by an earlier attempt: nothing to send.
  if (!d || d.status === "succeeded" || d.status === "failed") return;
  const secret = openSecret(settings.masterSecret, d.secret_sealed);
  const result = await postWebhook(
    d.url,
    secret,
    JSON.stringify(d.payload),
    d.event_id ?? d.id,
    now,
    settings,
  );
  const ok = result.status !== null && result.status >= 200 && result.status < 300;
  const attempts = d.attempts + 1;
  const status = ok ? "succeeded" : attempts >= settings.attempts || result.refused ? "failed" : "retrying";
  await pool.query(
    `UPDATE alert_deliveries SET status = $2, attempts = $3, last_status_code = $4, last_error = $5,
       response_excerpt = $6, updated_at = now(), delivered_at = CASE WHEN $7 THEN now() ELSE delivered_at END
     WHERE id = $1`,
    [
      d.id,
      status,
      attempts,
      result.status,
      result.error ?? (ok ? null : `HTTP ${result.status}`),
      result.excerpt,
      ok,
    ],
  );
  if (status === "retrying") throw new Error(`webhook ${d.id}: ${result.error ?? `HTTP ${result.status}`}`);
}
