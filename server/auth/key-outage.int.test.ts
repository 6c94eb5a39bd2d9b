// Ingestion rides out a Postgres outage: API keys verified before it keep working (through the
// real ingest route, with NATS up), a key revoked before it stays refused, and a revocation
// reaches another web instance's cache at once through NATS. Postgres is a private embedded
// cluster that the test stops (the machine's shared server is left alone).
import { jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate } from "../../scripts/migrate";
import { loadConfig, natsNames } from "../config";
import { connectNats } from "../nats/streams";
import { request, signIn } from "../testing/auth";
import { startEmbeddedCluster, type EmbeddedCluster } from "../testing/embedded-postgres";
import { deleteNamespace, eventually, NATS_URL, uniqueName } from "../testing/harness";
import { getWebServices } from "../web/services";
import { onRevocation } from "../web/session-revocation";
import { createApiKey, hashApiKey, verifyApiKey } from "./api-keys";
import { ApiKeyCache } from "./key-cache";
import { getAuth } from "../web/principal";
import { seedUsers } from "./seed";
import { nowcastTypes } from "../db/int8";

type Handler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;
const namespace = uniqueName("tkeys");
let cluster: EmbeddedCluster;
let pool: pg.Pool;
let nc: NatsConnection;
let ingest: Handler;
let revoke: Handler;
let admin = "";
const keys: Record<"used" | "revoked" | "unused" | "elsewhere", { id: string; secret: string }> = {} as never;

beforeAll(async () => {
  cluster = await startEmbeddedCluster();
  await cluster.createDatabase("nowcast");
  const url = cluster.url("nowcast");
  await migrate(url, () => undefined);
  process.env.DATABASE_URL = url;
  process.env.NATS_URL = NATS_URL;
  process.env.NOWCAST_NAMESPACE = namespace;
  // Every request asks Postgres (no fresh window): the outage path is what is under test.
  process.env.AUTH_KEY_CACHE_TTL_MS = "0";
  pool = new pg.Pool({ connectionString: url, types: nowcastTypes, max: 2 });
  pool.on("error", () => undefined);
  const auth = await getAuth();
  await seedUsers(auth, pool, "admin-password-123");
  admin = (await signIn(auth, "admin@example.com", "admin-password-123", "10.5.0.1")).cookie ?? "";
  for (const name of ["used", "revoked", "unused", "elsewhere"] as const) {
    const { view, secret } = await createApiKey(pool, { name, scope: "ingest", createdBy: null });
    keys[name] = { id: view.id, secret };
  }
  ingest = (await import("../../app/api/ingest/route")).POST as unknown as Handler;
  revoke = (await import("../../app/api/admin/api-keys/[id]/route")).DELETE as unknown as Handler;
  nc = await connectNats(NATS_URL, "key-outage-test");
});

afterAll(async () => {
  await nc?.close();
  await (await getWebServices().catch(() => null))?.close();
  await pool?.end().catch(() => undefined);
  await cluster?.destroy();
  await deleteNamespace(namespace);
});

let sent = 0;
async function send(secret: string): Promise<number> {
  const event = { id: uniqueName("e"), type: "page_view", ts: Date.now(), attrs: { path: "/" } };
  const response = await ingest(request("POST", "/api/ingest", { apiKey: secret }, [event]), {
    params: Promise.resolve({}),
  });
  if (response.status === 202) sent++;
  return response.status;
}

const revokeKey = (id: string) =>
  revoke(request("DELETE", `/api/admin/api-keys/${id}`, { cookie: admin }), {
    params: Promise.resolve({ id }),
  });

describe("API keys", () => {
  it("a revocation reaches another web instance's cache through NATS, within its fresh window", async () => {
    // A second instance: its own cache (default 60 s TTL) and its own NATS subscription.
    const other = new ApiKeyCache({ freshMs: 60_000, graceMs: 900_000 });
    const subscription = onRevocation(nc, loadConfig(), (r) => "apiKeyId" in r && other.revoke(r.apiKeyId));
    await nc.flush();
    try {
      const { secret, id } = keys.elsewhere;
      expect(await verifyApiKey(pool, secret, other)).toMatchObject({ id });
      expect(other.lookup(hashApiKey(secret)).kind).toBe("fresh");
      expect((await revokeKey(id)).status).toBe(200);
      // Without the announcement the other instance would trust its fresh entry for 60 s.
      await eventually(
        async () => ((await verifyApiKey(pool, secret, other)) === null ? true : undefined),
        5_000,
        "eviction",
      );
    } finally {
      subscription.stop();
    }
  });

  it("keys verified before a Postgres outage keep ingesting through it; revoked and unknown ones do not", async () => {
    expect(await send(keys.used.secret)).toBe(202);
    expect(await send(keys.revoked.secret)).toBe(202);
    expect((await revokeKey(keys.revoked.id)).status).toBe(200);
    expect(await send(keys.revoked.secret)).toBe(401);
    const before = sent;

    await cluster.stop();
    for (let i = 0; i < 5; i++)
      expect(await send(keys.used.secret), `request ${i} during the outage`).toBe(202);
    expect(await send(keys.revoked.secret)).toBe(401);
    // Never verified by this process: nobody can vouch for it while Postgres is away.
    const unused = await ingest(request("POST", "/api/ingest", { apiKey: keys.unused.secret }, []), {
      params: Promise.resolve({}),
    });
    expect(unused.status).toBe(503);
    expect(((await unused.json()) as { error: { message: string } }).error.message).toMatch(
      /API keys cannot be verified/,
    );
    expect(sent).toBe(before + 5);

    await cluster.start();
    expect(await send(keys.unused.secret)).toBe(202);
    expect(await send(keys.revoked.secret)).toBe(401);
    // Every 202 is in the stream: nothing accepted during the outage was lost.
    const jsm = await jetstreamManager(nc);
    const info = await jsm.streams.info(natsNames(namespace).stream);
    expect(info.state.messages).toBe(sent);
  });
});
