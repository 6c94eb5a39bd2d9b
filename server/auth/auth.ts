import { betterAuth } from "better-auth";
import { admin } from "better-auth/plugins/admin";
import { adminAc, userAc } from "better-auth/plugins/admin/access";
import type pg from "pg";
import { ConfigError, type Config } from "../config";

/** The header the web role sets to the caller's real address (client-ip.ts); never trusted from outside. */
export const CLIENT_IP_HEADER = "x-nowcast-client-ip";
/** better-auth's session cookie (a `__Secure-` prefix is added behind TLS). */
export const SESSION_COOKIE = "nowcast.session_token";

const LOCAL_HOSTS = ["localhost", "localhost:*", "127.0.0.1", "127.0.0.1:*", "[::1]", "[::1]:*"];

// Only for development and tests; production refuses to start without NOWCAST_AUTH_SECRET.
const DEVELOPMENT_SECRET = "nowcast-development-secret-not-for-production-use";

/** The secret, or a ConfigError naming the variable when production has none. */
export function authSecret(config: Config): string {
  if (config.NOWCAST_AUTH_SECRET) return config.NOWCAST_AUTH_SECRET;
  if (config.NODE_ENV === "production")
    throw new ConfigError(
      "Invalid configuration:\n  NOWCAST_AUTH_SECRET: required in production (at least 32 random characters, e.g. `openssl rand -hex 32`)",
    );
  return DEVELOPMENT_SECRET;
}

/** What the web role wants to hear from better-auth. */
export interface AuthEvents {
  /** A session row was deleted by better-auth (sign-out, an expired session it came across). */
  onSessionEnded?(session: { id: string; userId: string }): void;
}

/**
 * better-auth over the shared pool: email + password sign-in (scrypt hashes), database sessions
 * (no cookie cache, so a revoked session or a disabled user stops at the next request), sign-in
 * throttling shared by every web instance, and the admin plugin for its role and ban fields and
 * its refusal of disabled users at sign-in. Only sign-in and sign-out are reachable over HTTP
 * (server/web/auth-endpoints.ts); users are changed by server/auth/users.ts alone.
 */
export function createAuth(pool: pg.Pool, config: Config, events: AuthEvents = {}) {
  const secure = config.NOWCAST_PUBLIC_URL?.startsWith("https:") ?? false;
  return betterAuth({
    appName: "Nowcast",
    secret: authSecret(config),
    // Without a public URL only local addresses may serve sign-in (origin checks use this).
    baseURL: config.NOWCAST_PUBLIC_URL ?? {
      allowedHosts: LOCAL_HOSTS,
      protocol: "http",
      fallback: `http://localhost:${config.PORT}`,
    },
    basePath: "/api/auth",
    database: pool,
    telemetry: { enabled: false },
    emailAndPassword: {
      enabled: true,
      // Accounts are created by admins only.
      disableSignUp: true,
      minPasswordLength: 12,
      maxPasswordLength: 128,
      revokeSessionsOnPasswordReset: true,
    },
    session: {
      modelName: "sessions",
      expiresIn: config.AUTH_SESSION_HOURS * 3600,
      updateAge: Math.min(3600, config.AUTH_SESSION_HOURS * 1800),
      cookieCache: { enabled: false },
      fields: {
        userId: "user_id",
        expiresAt: "expires_at",
        ipAddress: "ip_address",
        userAgent: "user_agent",
        createdAt: "created_at",
        updatedAt: "updated_at",
      },
    },
    user: {
      modelName: "users",
      fields: { emailVerified: "email_verified", createdAt: "created_at", updatedAt: "updated_at" },
    },
    account: {
      modelName: "accounts",
      fields: {
        userId: "user_id",
        accountId: "account_id",
        providerId: "provider_id",
        accessToken: "access_token",
        refreshToken: "refresh_token",
        idToken: "id_token",
        accessTokenExpiresAt: "access_token_expires_at",
        refreshTokenExpiresAt: "refresh_token_expires_at",
        createdAt: "created_at",
        updatedAt: "updated_at",
      },
    },
    verification: {
      modelName: "verifications",
      fields: { expiresAt: "expires_at", createdAt: "created_at", updatedAt: "updated_at" },
    },
    databaseHooks: {
      session: {
        delete: {
          after: async (session) => events.onSessionEnded?.({ id: session.id, userId: session.userId }),
        },
      },
    },
    rateLimit: {
      enabled: true,
      storage: "database",
      modelName: "auth_rate_limits",
      fields: { lastRequest: "last_request" },
      window: 60,
      max: 300,
      customRules: { "/sign-in/email": { window: 60, max: config.AUTH_SIGNIN_PER_MINUTE } },
    },
    advanced: {
      useSecureCookies: secure,
      cookiePrefix: "nowcast",
      defaultCookieAttributes: { httpOnly: true, sameSite: "lax", secure },
      ipAddress: { ipAddressHeaders: [CLIENT_IP_HEADER] },
    },
    plugins: [
      admin({
        defaultRole: "viewer",
        adminRoles: ["admin"],
        roles: { admin: adminAc, analyst: userAc, viewer: userAc },
        bannedUserMessage: "This account is disabled. Ask an administrator to enable it.",
        schema: {
          user: { fields: { banReason: "ban_reason", banExpires: "ban_expires" } },
          session: { fields: { impersonatedBy: "impersonated_by" } },
        },
      }),
    ],
  });
}

export type Auth = ReturnType<typeof createAuth>;
