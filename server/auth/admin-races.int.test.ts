// Admin invariants under truly concurrent requests: two HTTP calls through the real route
// handlers at once (Promise.all; each handler takes its own pooled connection), repeated so a
// check-then-write race shows up. Also the database's own guard and the audit row's atomicity.
import pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { CreatedApiKey, UserWithPassword } from "../contract/auth";
import { request, signIn, startAuthTestStack, type AuthTestStack } from "../testing/auth";
import { uniqueName } from "../testing/harness";
import { nowcastTypes } from "../db/int8";

type Handler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;
const ROUNDS = 12;
const none = { params: Promise.resolve({}) };
const withId = (id: string) => ({ params: Promise.resolve({ id }) });

let stack: AuthTestStack;
let pool: pg.Pool;
let admin = "";
let r: {
  users: { POST: Handler };
  user: { PATCH: Handler };
  keys: { POST: Handler };
  key: { DELETE: Handler };
};

beforeAll(async () => {
  stack = await startAuthTestStack(uniqueName("trace"), {
    adminPassword: "admin-password-123",
    signInPerMinute: 10_000,
  });
  pool = stack.db.pool;
  admin = (await signIn(stack.auth, "admin@example.com", "admin-password-123", "10.7.0.1")).cookie ?? "";
  r = {
    users: await import("../../app/api/admin/users/route"),
    user: await import("../../app/api/admin/users/[id]/route"),
    keys: await import("../../app/api/admin/api-keys/route"),
    key: await import("../../app/api/admin/api-keys/[id]/route"),
  } as unknown as typeof r;
});

afterAll(async () => {
  await stack?.close();
});

const activeAdmins = async () =>
  (
    await pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM users WHERE role = 'admin' AND NOT banned`,
    )
  ).rows[0]?.n ?? 0;
const auditCount = async (action: string, target: string) =>
  (
    await pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit_log WHERE action = $1 AND target_id = $2`,
      [action, target],
    )
  ).rows[0]?.n ?? 0;

async function createUser(email: string, role: "viewer" | "admin"): Promise<UserWithPassword> {
  // A round of the admin races leaves the seeded admin disabled: it acts again from here on.
  await pool.query(`UPDATE users SET banned = false WHERE email = 'admin@example.com'`);
  const response = await r.users.POST(
    request("POST", "/api/admin/users", { cookie: admin }, { name: email, email, role }),
    none,
  );
  expect(response.status, email).toBe(201);
  return UserWithPassword.parse(await response.json());
}

/** Two fresh admins, signed in, and every other admin disabled: they are the last two. */
async function lastTwoAdmins(round: number, ip: number) {
  const pair = [];
  for (const side of ["a", "b"]) {
    const created = await createUser(`${side}${round}-${uniqueName("adm")}@example.com`, "admin");
    const { cookie } = await signIn(
      stack.auth,
      created.user.email,
      created.password,
      `10.7.${ip}.${side === "a" ? 1 : 2}`,
    );
    pair.push({ id: created.user.id, cookie: cookie ?? "" });
  }
  const [a, b] = pair as [{ id: string; cookie: string }, { id: string; cookie: string }];
  await pool.query(`UPDATE users SET banned = true WHERE role = 'admin' AND id <> ALL($1)`, [[a.id, b.id]]);
  expect(await activeAdmins()).toBe(2);
  return { a, b };
}

describe("at least one active admin", () => {
  it("holds when the last two admins disable each other at the same moment", async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const { a, b } = await lastTwoAdmins(round, 10 + round);
      const statuses = await Promise.all([
        r.user.PATCH(request("PATCH", "/x", { cookie: a.cookie }, { disabled: true }), withId(b.id)),
        r.user.PATCH(request("PATCH", "/x", { cookie: b.cookie }, { disabled: true }), withId(a.id)),
      ]).then((answers) => answers.map((answer) => answer.status).sort());
      expect(await activeAdmins(), `round ${round}`).toBe(1);
      // One wins; the other finds itself signed out (401), its access gone (403) or itself the
      // last admin (409), depending on how far it got before the winner committed.
      expect(statuses[0], `round ${round}: ${statuses.join(",")}`).toBe(200);
      expect([401, 403, 409], `round ${round}: ${statuses.join(",")}`).toContain(statuses[1]);
      expect((await auditCount("user.disable", a.id)) + (await auditCount("user.disable", b.id))).toBe(1);
    }
  });

  it("holds when the last two admins demote each other at the same moment", async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const { a, b } = await lastTwoAdmins(100 + round, 40 + round);
      await Promise.all([
        r.user.PATCH(request("PATCH", "/x", { cookie: a.cookie }, { role: "viewer" }), withId(b.id)),
        r.user.PATCH(request("PATCH", "/x", { cookie: b.cookie }, { role: "analyst" }), withId(a.id)),
      ]);
      expect(await activeAdmins(), `round ${round}`).toBe(1);
    }
  });

  it("is kept by the database itself, even against two raw transactions committing together", async () => {
    const { a, b } = await lastTwoAdmins(200, 80);
    await expect(pool.query(`UPDATE users SET banned = true WHERE role = 'admin'`)).rejects.toMatchObject({
      code: "23514",
      constraint: "users_one_active_admin",
    });
    const clients = [
      new pg.Client({ connectionString: stack.database.url, types: nowcastTypes }),
      new pg.Client({ connectionString: stack.database.url, types: nowcastTypes }),
    ];
    await Promise.all(clients.map((c) => c.connect()));
    try {
      await Promise.all(clients.map((c) => c.query("BEGIN")));
      await clients[0]?.query(`UPDATE users SET banned = true WHERE id = $1`, [a.id]);
      await clients[1]?.query(`UPDATE users SET role = 'viewer' WHERE id = $1`, [b.id]);
      const commits = await Promise.allSettled(clients.map((c) => c.query("COMMIT")));
      expect(commits.map((c) => c.status).sort()).toEqual(["fulfilled", "rejected"]);
    } finally {
      await Promise.all(clients.map((c) => c.end()));
    }
    expect(await activeAdmins()).toBe(1);
  });
});

describe("sibling invariants", () => {
  beforeEach(async () => {
    await pool.query(`UPDATE users SET banned = false WHERE email = 'admin@example.com'`);
  });

  it("two creations of the same email at once: one user, one audit row, a 409 for the other", async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const email = `twin${round}-${uniqueName("u")}@example.com`;
      const body = { name: "Twin", email, role: "viewer" };
      const statuses = await Promise.all([
        r.users.POST(request("POST", "/api/admin/users", { cookie: admin }, body), none),
        r.users.POST(request("POST", "/api/admin/users", { cookie: admin }, body), none),
      ]).then((answers) => answers.map((answer) => answer.status).sort());
      expect(statuses, email).toEqual([201, 409]);
      const rows = await pool.query(`SELECT u.id FROM users u WHERE email = $1`, [email]);
      expect(rows.rowCount).toBe(1);
      expect(await auditCount("user.create", rows.rows[0]?.id)).toBe(1);
    }
  });

  it("revoking one key twice at once writes one audit row", async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const created = await r.keys.POST(
        request("POST", "/api/admin/api-keys", { cookie: admin }, { name: `twice${round}`, scope: "ingest" }),
        none,
      );
      const { apiKey } = CreatedApiKey.parse(await created.json());
      const statuses = await Promise.all([
        r.key.DELETE(request("DELETE", "/k", { cookie: admin }), withId(apiKey.id)),
        r.key.DELETE(request("DELETE", "/k", { cookie: admin }), withId(apiKey.id)),
      ]).then((answers) => answers.map((answer) => answer.status));
      expect(statuses).toEqual([200, 200]);
      expect(await auditCount("api_key.revoke", apiKey.id), `round ${round}`).toBe(1);
    }
  });

  it("a change whose audit row cannot be written is not made at all", async () => {
    const doomed = await createUser(`doomed-${uniqueName("u")}@example.com`, "viewer");
    // The audit insert fails for this one user, as a crash between change and audit would.
    await pool.query(`
      CREATE FUNCTION refuse_doomed_audit() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'audit store failed'; END $$;
      CREATE TRIGGER refuse_doomed_audit BEFORE INSERT ON audit_log
        FOR EACH ROW WHEN (NEW.target_id = '${doomed.user.id}') EXECUTE FUNCTION refuse_doomed_audit();`);
    try {
      const response = await r.user.PATCH(
        request("PATCH", "/x", { cookie: admin }, { role: "admin", disabled: true }),
        withId(doomed.user.id),
      );
      expect(response.status).toBe(500);
      const row = await pool.query(`SELECT role, banned FROM users WHERE id = $1`, [doomed.user.id]);
      expect(row.rows[0]).toEqual({ role: "viewer", banned: false });
    } finally {
      await pool.query(`DROP TRIGGER refuse_doomed_audit ON audit_log; DROP FUNCTION refuse_doomed_audit();`);
    }
  });
});
