// The alerting HTTP surface through the real route handlers, session cookies and Postgres:
// refusals name the field, changes are versioned and audited, the back-test replays stored
// rollups, and a viewer acknowledges with a note.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as ack from "../../app/api/alerts/acknowledge/route";
import * as alerts from "../../app/api/alerts/route";
import * as backtest from "../../app/api/admin/alerts/backtest/route";
import * as channels from "../../app/api/admin/alerts/channels/route";
import * as rule from "../../app/api/admin/alerts/rules/[id]/route";
import * as rules from "../../app/api/admin/alerts/rules/route";
import * as silences from "../../app/api/admin/alerts/silences/route";
import { request, signIn, startAuthTestStack, type AuthTestStack } from "../testing/auth";
import { uniqueName } from "../testing/harness";

const namespace = uniqueName("taroutes");
let stack: AuthTestStack;
let admin: string;
let viewer: string;
const T0 = Date.UTC(2026, 10, 20, 10, 0, 0);
const MIN = 60_000;

const errorRate = {
  name: "Error rate",
  subject: {
    kind: "ratio",
    numerator: { metric: "api_errors", statistic: "count" },
    denominator: { metric: "api_requests", statistic: "count" },
  },
  windowMs: 60_000,
  condition: { kind: "threshold", op: ">=", threshold: 5 },
  recoveryThreshold: 3,
  minVolume: 20,
};

async function send(
  handler: (r: Request, c: never) => Promise<Response>,
  method: string,
  path: string,
  cookie: string,
  body?: unknown,
  params?: Record<string, string>,
) {
  const response = await handler(request(method, path, { cookie }, body), {
    params: Promise.resolve(params ?? {}),
  } as never);
  return {
    status: response.status,
    body: (await response.json()) as Record<string, unknown> & { error?: { message: string } },
  };
}

beforeAll(async () => {
  stack = await startAuthTestStack(namespace, { adminPassword: "admin-password-123" });
  admin = (await signIn(stack.auth, "admin@example.com", "admin-password-123")).cookie ?? "";
  viewer =
    (await signIn(stack.auth, "viewer@example.com", stack.passwords["viewer@example.com"] ?? "")).cookie ??
    "";
  // 30 minutes of stored history: 40 requests a minute, 4 errors (10 %) in minutes 10–14, else 1.
  for (let m = 0; m < 30; m++) {
    const at = new Date(T0 + m * MIN);
    const errors = m >= 10 && m < 15 ? 4 : 1;
    await stack.db.pool.query(
      `INSERT INTO metric_rollups (metric, resolution, bucket_start, group_key, count, sum, min, max)
       VALUES ('api_requests', '1m', $1, '', 40, 400, 1, 20), ('api_errors', '1m', $1, '', $2, 0, 0, 0)`,
      [at, errors],
    );
  }
});

afterAll(async () => {
  await stack?.close();
});

describe("alert rules over HTTP", () => {
  it("refuses rules that cannot be evaluated, naming the field", async () => {
    const cases: Array<[unknown, RegExp]> = [
      [
        { ...errorRate, subject: { kind: "metric", metric: "nope", statistic: "count" } },
        /^subject\.metric: no metric named "nope"/,
      ],
      [{ ...errorRate, recoveryThreshold: 7 }, /^recoveryThreshold: must be at or below/],
      [{ ...errorRate, windowMs: 10_000 }, /^windowMs: /],
      [{ ...errorRate, maxGroups: 500 }, /^maxGroups: /],
      [{ ...errorRate, groupBy: "region" }, /^groupBy: metric api_errors groups by route, not region/],
      [{ ...errorRate, channelIds: ["missing"] }, /^channelIds: no channel with id missing/],
    ];
    for (const [body, message] of cases) {
      const answer = await send(rules.POST, "POST", "/api/admin/alerts/rules", admin, body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.body.error?.message).toMatch(message);
    }
    const ftp = await send(channels.POST, "POST", "/api/admin/alerts/channels", admin, {
      name: "x",
      url: "ftp://x.test/h",
      secret: "0123456789abcdef",
    });
    expect([ftp.status, ftp.body.error?.message]).toEqual([400, "url: must be an http(s) URL"]);
  });

  it("creates, versions, refuses a duplicate name and audits every change", async () => {
    const created = await send(rules.POST, "POST", "/api/admin/alerts/rules", admin, errorRate);
    expect(created.status).toBe(201);
    const id = (created.body.rule as { id: string }).id;
    const dup = await send(rules.POST, "POST", "/api/admin/alerts/rules", admin, errorRate);
    expect(dup.status).toBe(409);
    const edited = await send(
      rule.PUT,
      "PUT",
      `/api/admin/alerts/rules/${id}`,
      admin,
      { ...errorRate, enabled: false },
      { id },
    );
    expect(edited.body.rule).toMatchObject({ version: 2, spec: { enabled: false } });
    await send(silences.POST, "POST", "/api/admin/alerts/silences", admin, {
      matchers: [{ label: "rule", value: "Error rate" }],
      recurring: { days: [1, 2, 3, 4, 5], start: "22:00", end: "06:00", timeZone: "Europe/Berlin" },
    });
    const { rows } = await stack.db.pool.query<{ action: string; actor_email: string }>(
      `SELECT action, actor_email FROM audit_log WHERE target_type LIKE 'alert_%' ORDER BY id`,
    );
    expect(rows).toEqual([
      { action: "alert_rule.create", actor_email: "admin@example.com" },
      { action: "alert_rule.update", actor_email: "admin@example.com" },
      { action: "alert_silence.create", actor_email: "admin@example.com" },
    ]);
    const versions = await stack.db.pool.query(
      `SELECT version FROM alert_rule_versions WHERE rule_id = $1 ORDER BY version`,
      [id],
    );
    expect(versions.rows).toEqual([{ version: 1 }, { version: 2 }]);
  });

  it("back-tests a spec over stored rollups before it is saved", async () => {
    const answer = await send(backtest.POST, "POST", "/api/admin/alerts/backtest", admin, {
      spec: errorRate,
      from: new Date(T0).toISOString(),
      to: new Date(T0 + 30 * MIN).toISOString(),
    });
    expect(answer.status).toBe(200);
    // 10 % in minutes 10–14: fires at the end of minute 10, clear (2.5 % ≤ 3 %) at the end of 15.
    expect(answer.body).toMatchObject({
      fired: 1,
      notifications: 2,
      firingMs: 5 * MIN,
      bands: [{ group: "", from: T0 + 11 * MIN, to: T0 + 16 * MIN }],
      threshold: 5,
      recoveryThreshold: 3,
    });
    expect((answer.body.points as unknown[]).length).toBe(30);
    const bad = await send(backtest.POST, "POST", "/api/admin/alerts/backtest", admin, {
      spec: { ...errorRate, condition: { kind: "threshold", op: ">", threshold: "high" } },
    });
    expect([bad.status, bad.body.error?.message]).toEqual([
      400,
      "spec.condition.threshold: threshold must be a number",
    ]);
  });

  it("back-tests a dead-letters rule over the dead_letters table", async () => {
    // 12 rejected inputs in minute 3, 2 in minute 7.
    for (const [minute, n] of [
      [3, 12],
      [7, 2],
    ] as const)
      await stack.db.pool.query(
        `INSERT INTO dead_letters (received_at, source, reasons, payload)
         SELECT $1::timestamptz + (i || ' seconds')::interval, 'nats', '[]', 'x' FROM generate_series(1, $2) i`,
        [new Date(T0 + minute * MIN), n],
      );
    const answer = await send(backtest.POST, "POST", "/api/admin/alerts/backtest", admin, {
      spec: {
        name: "dead letters",
        subject: { kind: "dead_letters" },
        windowMs: 60_000,
        condition: { kind: "threshold", op: ">", threshold: 10 },
      },
      from: new Date(T0).toISOString(),
      to: new Date(T0 + 10 * MIN).toISOString(),
    });
    expect(answer.body).toMatchObject({
      fired: 1,
      firingMs: MIN,
      bands: [{ from: T0 + 4 * MIN, to: T0 + 5 * MIN }],
    });
    const points = answer.body.points as Array<{ t: number; value: number }>;
    expect(points.filter((p) => p.value > 0)).toEqual([
      { t: T0 + 3 * MIN, value: 12 },
      { t: T0 + 7 * MIN, value: 2 },
    ]);
  });

  it("lets a viewer see instances and acknowledge one with a note", async () => {
    const created = await send(rules.POST, "POST", "/api/admin/alerts/rules", admin, {
      ...errorRate,
      name: "Error rate 2",
    });
    const id = (created.body.rule as { id: string }).id;
    await stack.db.pool.query(
      `INSERT INTO alert_instances (rule_id, group_key, seq, state, since, value, memory, rule_version)
       VALUES ($1, '', 1, 'firing', now(), 10, '{"state":"firing","reason":null}', 1)`,
      [id],
    );
    const list = await send(alerts.GET, "GET", "/api/alerts", viewer);
    expect(list.body.instances).toMatchObject([
      { ruleId: id, state: "firing", value: 10, unit: "%", acknowledged: null },
    ]);
    const empty = await send(ack.POST, "POST", "/api/alerts/acknowledge", viewer, { ruleId: id, note: " " });
    expect([empty.status, empty.body.error?.message]).toEqual([
      400,
      "note: write what you are doing about it",
    ]);
    const done = await send(ack.POST, "POST", "/api/alerts/acknowledge", viewer, {
      ruleId: id,
      note: "rolling back",
    });
    expect(done.body).toEqual({ acknowledged: true, state: "firing" });
    const after = await send(alerts.GET, "GET", "/api/alerts", viewer);
    expect(after.body.instances).toMatchObject([
      { acknowledged: { by: "viewer@example.com", note: "rolling back" } },
    ]);
    expect(after.body.events).toMatchObject([
      { kind: "acknowledge", reason: "viewer@example.com: rolling back" },
    ]);
    const missing = await send(ack.POST, "POST", "/api/alerts/acknowledge", viewer, {
      ruleId: "nope",
      note: "x",
    });
    expect(missing.status).toBe(404);
  });
});
