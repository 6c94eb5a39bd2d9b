// Named to run after the live specs (files run in name order on one shared stack): the
// transactions scored here would give /live a watermark those specs expect not to exist yet.
// An analyst labels flagged transactions and sees the precision figure change; an admin adds a
// shadow rule and sees its back-test. The transactions are scored through the real API first.
import { expect, test } from "@playwright/test";
import pg from "pg";
import { createApiKey } from "../server/auth/api-keys";
import { storageStateFor } from "./access";

const base = process.env.E2E_BASE_URL ?? "";
const card = `e2e-card-${Date.now()}`;

test.describe.configure({ mode: "serial" });

test.beforeAll(async () => {
  const pool = new pg.Pool({ connectionString: process.env.E2E_DATABASE_URL, max: 1 });
  const key = (await createApiKey(pool, { name: "e2e score", scope: "score", createdBy: null })).secret;
  await pool.end();
  const now = Date.now();
  // Card testing: six small amounts on one card within seconds; the fifth and sixth are flagged.
  for (let i = 1; i <= 6; i++) {
    const response = await fetch(`${base}/api/transactions/score`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({
        id: `${card}-t${i}`,
        type: "transaction",
        ts: now - 20_000 + i * 1000,
        value: 1.5,
        attrs: {
          currency: "EUR",
          card_id: card,
          customer_id: "e2e-customer",
          merchant: "e2e-shop",
          country: "DE",
        },
      }),
    });
    expect(response.status).toBe(200);
  }
});

test("an analyst labels flagged transactions and the precision figure follows", async ({ page }) => {
  await page.goto(`${base}/fraud`);
  await expect(page.getByRole("heading", { name: "Fraud review" })).toBeVisible();
  const rows = page.getByTestId("queue-row");
  await expect(rows).toHaveCount(2);
  await expect(rows.first()).toContainText(`${card}-t6`);
  await expect(rows.first()).toContainText("card_testing");
  await expect(page.getByTestId("quality-decided")).toHaveText("6");
  await expect(page.getByTestId("quality-flag-rate")).toHaveText("33.3 %");
  await expect(page.getByTestId("quality-precision")).toHaveText("—");

  await rows.first().click();
  const panel = page.getByTestId("decision-panel");
  await expect(panel).toContainText(`${card}-t6`);
  await expect(panel).toContainText("card_count_1m");
  await panel.getByLabel("Note").fill("cardholder confirmed the card was stolen");
  await panel.getByRole("button", { name: "Fraud" }).click();
  await expect(panel.getByTestId("current-label")).toContainText("fraud");
  await expect(page.getByTestId("quality-precision")).toHaveText("100.0 %");

  await rows.nth(1).click();
  await expect(panel).toContainText(`${card}-t5`);
  await panel.getByRole("button", { name: "Legitimate" }).click();
  await expect(panel.getByTestId("current-label")).toContainText("legitimate");
  await expect(page.getByTestId("quality-precision")).toHaveText("50.0 %");
  await expect(page.getByTestId("rule-quality").filter({ hasText: "card_testing" })).toContainText("50.0 %");
  await page.screenshot({ path: "e2e/screenshots/fraud-review.png", fullPage: true });
});

test.describe("admin", () => {
  test.use({ storageState: storageStateFor("admin") });

  test("an admin adds a rule in shadow mode and sees its back-test before saving it", async ({ page }) => {
    await page.goto(`${base}/admin/fraud`);
    await expect(page.getByRole("heading", { name: "Fraud rules" })).toBeVisible();
    await expect(page.getByRole("heading", { name: /Draft from version 1/ })).toBeVisible();
    const form = page.getByRole("form", { name: "Add a rule" });
    await form.getByLabel("Rule id").fill("small_burst");
    await form.getByLabel("Feature 1").selectOption("card_count_1m");
    await form.getByLabel("Operator 1").selectOption("gte");
    await form.getByLabel("Value 1").fill("3");
    await form.getByLabel("Effect").selectOption("flag");
    await form.getByRole("button", { name: "Add rule" }).click();
    const added = page.getByTestId("rule-row").filter({ hasText: "small_burst" });
    await expect(added).toContainText("shadow");
    await expect(added).toContainText("card_count_1m ≥ 3 → flag at once");

    await page.getByRole("button", { name: "Back-test draft" }).click();
    const backtest = page.getByTestId("backtest");
    await expect(backtest.getByTestId("bt-evaluated")).toHaveText("6");
    // A shadow rule changes no decision: still the two card-testing flags.
    await expect(backtest.getByTestId("bt-would-flag")).toHaveText("2");
    await expect(backtest.getByTestId("bt-precision")).toHaveText("50.0 %");
    // On its own it would match counts 3–6; of its labelled hits (t5 legitimate, t6 fraud) half are fraud.
    const row = backtest.getByTestId("bt-rule").filter({ hasText: "small_burst" });
    await expect(row).toContainText("shadow");
    await expect(row.locator("td").nth(1)).toHaveText("4");
    await expect(row.locator("td").nth(2)).toHaveText("50.0 %");
    await page.screenshot({ path: "e2e/screenshots/fraud-rules-backtest.png", fullPage: true });

    await page.getByRole("button", { name: "Save as version 2" }).click();
    await expect(page.getByRole("heading", { name: /Draft from version 2/ })).toBeVisible();
    await expect(page.getByRole("table", { name: "Rule set versions" })).toContainText("v2");
  });
});
