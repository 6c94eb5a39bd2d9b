// The scoring route and the review/admin routes end to end through their handlers: a score key
// decides, analysts label, precision follows the labels, admins version rules and back-test.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "../auth/api-keys";
import {
  BacktestResult,
  DecisionDetail,
  DecisionPage,
  FraudRuleSetVersion,
  QualityReport,
  ScoreResponse,
  type FraudRuleSetInput,
} from "../contract";
import { DEFAULT_RULE_SET_INPUT } from "../core/fraud/default-rules";
import { request, signIn, startAuthTestStack, type AuthTestStack } from "../testing/auth";
import { uniqueName } from "../testing/harness";
import { drainPublishMarks } from "./ports";

type Handler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;
const namespace = uniqueName("tfraudrev");
let stack: AuthTestStack;
let scoreKey = "";
const cookies: Record<string, string> = {};
const routes: Record<string, Record<string, Handler>> = {};

async function call(
  method: string,
  route: string,
  path: string,
  as: { cookie?: string; apiKey?: string },
  body?: unknown,
  params: Record<string, string> = {},
) {
  const handler = routes[route]?.[method];
  if (!handler) throw new Error(`no ${method} ${route}`);
  const response = await handler(request(method, path, as, body), { params: Promise.resolve(params) });
  return { status: response.status, body: (await response.json()) as unknown };
}

beforeAll(async () => {
  stack = await startAuthTestStack(namespace, { adminPassword: "admin-password-123" });
  for (const [i, role] of ["analyst", "admin"].entries()) {
    const email = `${role}@example.com`;
    const result = await signIn(stack.auth, email, stack.passwords[email] ?? "", `10.2.0.${i + 1}`);
    cookies[role] = result.cookie ?? "";
  }
  scoreKey = (await createApiKey(stack.db.pool, { name: "score", scope: "score", createdBy: null })).secret;
  const load = async (route: string, file: string) =>
    (routes[route] = (await import(file)) as Record<string, Handler>);
  await load("score", "../../app/api/transactions/score/route");
  await load("decisions", "../../app/api/fraud/decisions/route");
  await load("decision", "../../app/api/fraud/decisions/[id]/route");
  await load("label", "../../app/api/fraud/decisions/[id]/label/route");
  await load("quality", "../../app/api/fraud/quality/route");
  await load("rules", "../../app/api/admin/fraud/rules/route");
  await load("backtest", "../../app/api/admin/fraud/backtest/route");
});
afterAll(async () => {
  // The route's publishes and outbox marks finish before the pool closes.
  await drainPublishMarks();
  await stack?.close();
});

const now = Date.now();
const tx = (id: string, card: string, value: number, attrs: Record<string, unknown> = {}) => ({
  id,
  type: "transaction",
  ts: now - 60_000 + Number(id.replace(/\D/g, "") || 0),
  value,
  attrs: { currency: "EUR", card_id: card, customer_id: "rev-cust", merchant: "m", ...attrs },
});
const score = (event: unknown) =>
  call("POST", "score", "/api/transactions/score", { apiKey: scoreKey }, event);

describe("scoring route", () => {
  it("decides, repeats the stored decision for the same id, and refuses bad events with reasons", async () => {
    const decisions: ScoreResponse[] = [];
    // Card testing: six small amounts on one card within the minute; the fifth and sixth are flagged.
    for (let i = 1; i <= 6; i++) {
      const answer = await score(tx(`t${i}`, "rev-card", 1));
      expect(answer.status).toBe(200);
      decisions.push(ScoreResponse.parse(answer.body));
    }
    expect(decisions.map((d) => d.decision)).toEqual([
      "approved",
      "approved",
      "approved",
      "approved",
      "flagged",
      "flagged",
    ]);
    expect(decisions[4]?.reasons[0]).toEqual({
      rule: "card_testing",
      detail: "card_count_1m 5 ≥ 5 and amount 1 ≤ 5 (+70)",
    });
    expect(decisions[4]).toMatchObject({ score: 70, rulesVersion: 1 });
    const again = await score({ ...tx("t5", "rev-card", 1), value: 3 });
    expect(again).toEqual({ status: 200, body: JSON.parse(JSON.stringify(decisions[4])) });
    const bad = await score({
      ...tx("t9", "rev-card", 1),
      attrs: { currency: "euro", card_id: "x", customer_id: "y", merchant: "m" },
    });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({
      error: {
        code: "invalid_event",
        details: { id: "t9", reasons: [expect.objectContaining({ path: "attrs.currency" })] },
      },
    });
  });
});

describe("review queue and labels", () => {
  it("lists flagged decisions newest first and moves precision with each label, audited", async () => {
    const page = DecisionPage.parse(
      (await call("GET", "decisions", "/api/fraud/decisions", { cookie: cookies.analyst })).body,
    );
    expect(page.decisions.map((d) => d.id)).toEqual(["t6", "t5"]);
    const detail = DecisionDetail.parse(
      (
        await call("GET", "decision", "/api/fraud/decisions/t6", { cookie: cookies.analyst }, undefined, {
          id: "t6",
        })
      ).body,
    );
    expect(detail.features.card_count_1m).toBe(6);
    expect(detail.customerHistory.map((d) => d.id)).toEqual(["t5", "t4", "t3", "t2", "t1"]);

    const label = (id: string, value: string, note = "") =>
      call(
        "PUT",
        "label",
        `/api/fraud/decisions/${id}/label`,
        { cookie: cookies.analyst },
        { label: value, note },
        { id },
      );
    const precision = async () =>
      QualityReport.parse(
        (await call("GET", "quality", "/api/fraud/quality", { cookie: cookies.analyst })).body,
      ).flagged.precision;
    expect(await precision()).toBeNull();
    expect((await label("t6", "fraud", "customer confirmed")).status).toBe(200);
    expect((await label("t5", "legitimate")).status).toBe(200);
    expect(await precision()).toBe(0.5);
    expect((await label("t5", "fraud", "second look")).status).toBe(200);
    expect(await precision()).toBe(1);
    const report = QualityReport.parse(
      (await call("GET", "quality", "/api/fraud/quality", { cookie: cookies.analyst })).body,
    );
    expect(report.rules.find((r) => r.rule === "card_testing")).toMatchObject({
      shadow: false,
      quality: { hits: 2, labeledHits: 2, fraudHits: 2, precision: 1, recall: 1 },
      flagRate: 2 / 6,
    });
    expect((await label("nope", "fraud")).status).toBe(404);
    expect((await label("t1", "maybe")).status).toBe(400);
    const unlabeled = DecisionPage.parse(
      (
        await call("GET", "decisions", "/api/fraud/decisions?decision=all&label=unlabeled", {
          cookie: cookies.analyst,
        })
      ).body,
    );
    expect(unlabeled.decisions.map((d) => d.id)).toEqual(["t4", "t3", "t2", "t1"]);
    const audit = await stack.db.pool.query(
      `SELECT target_id, after->>'label' AS label FROM audit_log WHERE action = 'fraud.label' ORDER BY id`,
    );
    expect(audit.rows).toEqual([
      { target_id: "t6", label: "fraud" },
      { target_id: "t5", label: "legitimate" },
      { target_id: "t5", label: "fraud" },
    ]);
  });
});

describe("rule sets and back-test", () => {
  it("versions every save, refuses a stale base, and back-tests a shadow rule before it goes live", async () => {
    const current = await call("GET", "rules", "/api/admin/fraud/rules", { cookie: cookies.admin });
    const v1 = FraudRuleSetVersion.parse((current.body as { current: unknown }).current);
    expect(v1.version).toBe(1);
    const candidate: FraudRuleSetInput = {
      ...DEFAULT_RULE_SET_INPUT,
      rules: [
        ...(DEFAULT_RULE_SET_INPUT.rules ?? []),
        {
          id: "tiny_amounts",
          when: [{ feature: "card_count_1m", op: "gte", value: 3 }],
          effect: { kind: "flag" },
          shadow: true,
        },
      ],
    };
    const test = BacktestResult.parse(
      (
        await call(
          "POST",
          "backtest",
          "/api/admin/fraud/backtest",
          { cookie: cookies.admin },
          { ruleSet: candidate, days: 1 },
        )
      ).body,
    );
    // Six decisions with card counts 1..6: the shadow rule hits counts 3..6, decides nothing.
    expect(test).toMatchObject({ evaluated: 6, wouldFlag: 2, currentlyFlagged: 2, labeled: 2 });
    expect(test.rules.find((r) => r.rule === "tiny_amounts")).toMatchObject({
      shadow: true,
      quality: { hits: 4, fraudHits: 2, precision: 1, recall: 1 },
    });
    const saved = await call(
      "PUT",
      "rules",
      "/api/admin/fraud/rules",
      { cookie: cookies.admin },
      { baseVersion: 1, ruleSet: candidate, note: "trial" },
    );
    expect(saved.status).toBe(200);
    expect(FraudRuleSetVersion.parse(saved.body)).toMatchObject({
      version: 2,
      createdBy: "admin@example.com",
      note: "trial",
    });
    const stale = await call(
      "PUT",
      "rules",
      "/api/admin/fraud/rules",
      { cookie: cookies.admin },
      { baseVersion: 1, ruleSet: candidate },
    );
    expect(stale.status).toBe(409);
    const invalid = await call(
      "PUT",
      "rules",
      "/api/admin/fraud/rules",
      { cookie: cookies.admin },
      {
        baseVersion: 2,
        ruleSet: {
          flagThreshold: 50,
          rules: [
            { id: "x", when: [{ feature: "amount", op: "is", value: true }], effect: { kind: "flag" } },
          ],
        },
      },
    );
    expect(invalid.status).toBe(400);
    // The next decision names version 2 and logs the shadow hit without changing the decision.
    const next = ScoreResponse.parse((await score(tx("t7", "rev-card-2", 1))).body);
    expect(next.rulesVersion).toBe(2);
    const audit = await stack.db.pool.query(
      `SELECT target_id FROM audit_log WHERE action = 'fraud.rules_save'`,
    );
    expect(audit.rows).toEqual([{ target_id: "2" }]);
  });
});
