// Named to run last (files run in name order on one shared stack): its bursts would change what
// the earlier specs see. Two real web processes decide bursts on one card concurrently (group
// commit inside each, advisory locks between them); one of them is killed mid-burst. Expected
// values come from what was sent, not from the scoring code: with every transaction at the same
// event time, the card counts of N decisions must be exactly 1…N, and each step of the card's
// amount must be the amount of the transaction that took that step.
import type { ChildProcess } from "node:child_process";
import { expect, test } from "@playwright/test";
import pg from "pg";
import { createApiKey } from "../server/auth/api-keys";
import { freePort, startRole, stopRole, waitForHealth } from "./stack";

const first = process.env.E2E_BASE_URL ?? "";
let second = "";
let secondWeb: ChildProcess | undefined;
let secondEnv: Record<string, string> = {};
let pool: pg.Pool;
let key = "";

test.describe.configure({ mode: "serial" });

async function startSecond() {
  secondWeb = await startRole("web", secondEnv);
  await waitForHealth(second, secondWeb);
}

test.beforeAll(async () => {
  pool = new pg.Pool({ connectionString: process.env.E2E_DATABASE_URL, max: 2 });
  key = (await createApiKey(pool, { name: "e2e two instances", scope: "score", createdBy: null })).secret;
  const port = await freePort();
  secondEnv = {
    ...(JSON.parse(process.env.E2E_WEB_ENV ?? "{}") as Record<string, string>),
    PORT: String(port),
  };
  second = `http://127.0.0.1:${port}`;
  await startSecond();
});

test.afterAll(async () => {
  await stopRole(secondWeb);
  await pool?.end();
});

type Sent = { id: string; amount: number };
type Answer = {
  id: string;
  decision: string;
  score: number;
  features: { card_count_1m: number; card_amount_1m: number };
};

const transaction = (card: string, sent: Sent, ts: number) => ({
  id: sent.id,
  type: "transaction",
  ts,
  value: sent.amount,
  attrs: {
    currency: "EUR",
    card_id: card,
    customer_id: `${card}-owner`,
    merchant: "e2e-shop",
    country: "DE",
  },
});

async function score(base: string, body: unknown): Promise<Answer> {
  const response = await fetch(`${base}/api/transactions/score`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (response.status !== 200) throw new Error(`score answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as Answer;
}

/** Every decision saw every one decided before it: counts 1…N, each amount step = that transaction. */
function expectSerialCounts(sent: readonly Sent[], answers: readonly Answer[]) {
  const byCount = [...answers].sort((a, b) => a.features.card_count_1m - b.features.card_count_1m);
  expect(byCount.map((a) => a.features.card_count_1m)).toEqual(sent.map((_, i) => i + 1));
  const amountOf = new Map(sent.map((s) => [s.id, s.amount]));
  let before = 0;
  for (const a of byCount) {
    expect(a.features.card_amount_1m - before, `amount step of ${a.id}`).toBeCloseTo(
      amountOf.get(a.id) ?? NaN,
      6,
    );
    before = a.features.card_amount_1m;
  }
}

async function storedFor(card: string) {
  const { rows } = await pool.query<{ decisions: number; raw: number }>(
    `SELECT (SELECT count(*)::int FROM fraud_decisions WHERE card_id = $1) AS decisions,
            (SELECT count(*)::int FROM raw_events WHERE type = 'transaction' AND attrs->>'card_id' = $1
               AND attrs ? 'fraud_decision') AS raw`,
    [card],
  );
  return rows[0];
}

test("a burst on one card split over two web instances: every decision counts every earlier one", async () => {
  const card = `e2e-two-${Date.now()}`;
  const ts = Date.now();
  const sent: Sent[] = Array.from({ length: 40 }, (_, i) => ({ id: `${card}-${i}`, amount: 1 + i * 0.25 }));
  const answers = await Promise.all(
    sent.map((s, i) => score(i % 2 === 0 ? first : second, transaction(card, s, ts))),
  );
  expectSerialCounts(sent, answers);
  // Stored once each, and ingested once each with the decision in its attrs.
  await expect.poll(() => storedFor(card), { timeout: 30_000 }).toEqual({ decisions: 40, raw: 40 });
});

test("a web instance killed mid-burst: retried ids are decided once, and everything is ingested once", async () => {
  const card = `e2e-kill-${Date.now()}`;
  const ts = Date.now();
  const sent: Sent[] = Array.from({ length: 60 }, (_, i) => ({ id: `${card}-${i}`, amount: 2 + i * 0.5 }));
  const answers = new Map<string, Answer>();
  const retries: Sent[] = [];
  let next = 0;
  // Six concurrent senders alternating between the instances; the second dies after 20 sends.
  await Promise.all(
    Array.from({ length: 6 }, async () => {
      for (let i = next++; i < sent.length; i = next++) {
        const s = sent[i] as Sent;
        if (i === 20) void stopRole(secondWeb, "SIGKILL");
        try {
          answers.set(s.id, await score(i % 2 === 0 ? first : second, transaction(card, s, ts)));
        } catch {
          retries.push(s); // refused, reset or cut off: the caller retries the same id
        }
      }
    }),
  );
  expect(retries.length, "requests the kill cut off").toBeGreaterThan(0);
  for (const s of retries) answers.set(s.id, await score(first, transaction(card, s, ts)));
  expect(answers.size).toBe(60);
  expectSerialCounts(sent, [...answers.values()]);
  // The restarted instance answers every id with the decision already stored.
  await startSecond();
  for (const s of sent) {
    const again = await score(second, transaction(card, { ...s, amount: s.amount + 100 }, ts));
    const firstAnswer = answers.get(s.id);
    expect({ decision: again.decision, score: again.score, features: again.features }).toEqual({
      decision: firstAnswer?.decision,
      score: firstAnswer?.score,
      features: firstAnswer?.features,
    });
  }
  // A decision whose publish the kill cut off is ingested by the outbox sweep (5 s grace).
  await expect.poll(() => storedFor(card), { timeout: 40_000 }).toEqual({ decisions: 60, raw: 60 });
});
