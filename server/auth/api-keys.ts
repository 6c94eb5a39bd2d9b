import { createHash, randomBytes, randomUUID } from "node:crypto";
import type pg from "pg";
import type { PrismaClient } from "../generated/prisma/client";
import type { ApiKeyScope, ApiKeyView } from "../contract/auth";
import { errorFields, type Logger } from "../log";
import type { ApiKeyCache, VerifiedKey } from "./key-cache";

// `nck_` marks a Nowcast key (secret scanners can match it); 32 random bytes follow.
const KEY_PREFIX = "nck_";
const SHOWN_PREFIX_LENGTH = KEY_PREFIX.length + 6;

export function hashApiKey(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

export function generateApiKey(): string {
  return KEY_PREFIX + randomBytes(32).toString("base64url");
}

interface ApiKeyRow {
  id: string;
  name: string;
  scope: ApiKeyScope;
  prefix: string;
  created_by_email: string | null;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const SELECT_VIEW = `
SELECT k.id, k.name, k.scope, k.prefix, u.email AS created_by_email, k.created_at, k.last_used_at, k.revoked_at
FROM api_keys k LEFT JOIN users u ON u.id = k.created_by`;

function toView(row: ApiKeyRow): ApiKeyView {
  return {
    id: row.id,
    name: row.name,
    scope: row.scope,
    prefix: row.prefix,
    createdBy: row.created_by_email,
    createdAt: row.created_at.toISOString(),
    lastUsedAt: row.last_used_at?.toISOString() ?? null,
    revokedAt: row.revoked_at?.toISOString() ?? null,
  };
}

/** Stores a new key (no audit row: admins go through api-key-admin.ts; fixtures call this). */
export async function createApiKey(
  pool: pg.Pool | pg.PoolClient,
  input: { name: string; scope: ApiKeyScope; createdBy: string | null },
): Promise<{ view: ApiKeyView; secret: string }> {
  const secret = generateApiKey();
  const id = randomUUID();
  await pool.query(
    `INSERT INTO api_keys (id, name, scope, prefix, key_hash, created_by) VALUES ($1, $2, $3, $4, $5, $6)`,
    [id, input.name, input.scope, secret.slice(0, SHOWN_PREFIX_LENGTH), hashApiKey(secret), input.createdBy],
  );
  const view = await getApiKey(pool, id);
  if (!view) throw new Error("api key vanished after insert");
  return { view, secret };
}

export async function getApiKey(pool: pg.Pool | pg.PoolClient, id: string): Promise<ApiKeyView | null> {
  const { rows } = await pool.query<ApiKeyRow>(`${SELECT_VIEW} WHERE k.id = $1`, [id]);
  return rows[0] ? toView(rows[0]) : null;
}

/** Every key, live ones first, newest first within each (Prisma: plain CRUD read). */
export async function listApiKeys(prisma: PrismaClient): Promise<ApiKeyView[]> {
  const keys = await prisma.apiKey.findMany({
    orderBy: [{ createdAt: "desc" }, { id: "asc" }],
    include: { creator: { select: { email: true } } },
  });
  const views = keys.map((key) =>
    toView({
      id: key.id,
      name: key.name,
      // The column's CHECK constraint admits only the contract's scopes.
      scope: key.scope as ApiKeyScope,
      prefix: key.prefix,
      created_by_email: key.creator?.email ?? null,
      created_at: key.createdAt,
      last_used_at: key.lastUsedAt,
      revoked_at: key.revokedAt,
    }),
  );
  // Array.sort is stable: revoked keys move after live ones, each group keeps its order.
  return views.sort((a, b) => Number(a.revokedAt !== null) - Number(b.revokedAt !== null));
}

const SELECT_LIVE_KEY = `SELECT id, name, scope FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL`;

/**
 * The live key with this secret, or null (unknown or revoked). With a cache (the web role), a
 * key verified in the last AUTH_KEY_CACHE_TTL_MS is trusted without a query, a revoked one is
 * refused at once (revocations are announced to every instance), and one verified within
 * AUTH_KEY_OUTAGE_GRACE_MS still passes while Postgres cannot be reached — so ingestion rides
 * out a database outage. Without a cache, Postgres is asked every time. A failure of Postgres
 * for a key it cannot vouch for is thrown (the caller answers 503). `last_used_at` is written
 * at most once a minute and never fails the request.
 */
export async function verifyApiKey(
  pool: pg.Pool,
  secret: string,
  cache?: ApiKeyCache,
  log?: Logger,
): Promise<VerifiedKey | null> {
  if (!secret.startsWith(KEY_PREFIX) || secret.length > 200) return null;
  const hash = hashApiKey(secret);
  const cached = cache?.lookup(hash) ?? { kind: "unknown" };
  if (cached.kind === "revoked") return null;
  if (cached.kind === "fresh") {
    if (cache?.touchDue(cached.key.id)) void touch(pool, cached.key.id, log);
    return cached.key;
  }
  let rows: VerifiedKey[];
  try {
    ({ rows } = await pool.query<VerifiedKey>(SELECT_LIVE_KEY, [hash]));
  } catch (error) {
    if (cached.kind === "stale") return cached.key;
    throw error;
  }
  const key = rows[0];
  if (!key) {
    cache?.forget(hash);
    return null;
  }
  cache?.remember(hash, key);
  if (!cache || cache.touchDue(key.id)) await touch(pool, key.id, log);
  return { id: key.id, name: key.name, scope: key.scope };
}

/** Records that a key was used; a failure is logged, never passed on. */
async function touch(pool: pg.Pool, id: string, log: Logger | undefined): Promise<void> {
  await pool
    .query(
      `UPDATE api_keys SET last_used_at = now()
       WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`,
      [id],
    )
    .catch((error: unknown) =>
      log?.warn("could not record an API key's last use", { id, ...errorFields(error) }),
    );
}
