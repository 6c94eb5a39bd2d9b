// Named ops-alerts so it runs after the live specs, which need a stream without earlier events.
// Alerting in the browser against the real roles (web, processor, scheduler, alerter): an admin
// builds a rule and sees its back-test over stored history, published events make the alert
// bar on /live show it firing, a viewer acknowledges it with a note, and it recovers.
import { expect, test } from "@playwright/test";
import { storageStateFor } from "./access";
import { baseUrl, ingest, ingestAll, withDiagnostics } from "./live-fixtures";

test.describe.configure({ mode: "serial" });

const RULE = "E2E checkout latency";
const MIN = 60_000;
// Latencies far above anything other specs publish, so only this spec's events breach.
const request = (id: string, ts: number, value: number) => ({
  id,
  type: "api_request",
  ts,
  value,
  attrs: { route: "/api/e2e", method: "GET", status: 200 },
});

test.describe("alerts", () => {
  test.use({ storageState: storageStateFor("admin") });

  test("an admin creates a rule and sees its back-test before saving", async ({ page }) => {
    // Stored history: one minute six minutes ago at 9 s, a calm minute after it.
    const past = Math.floor((Date.now() - 6 * MIN) / MIN) * MIN + 5_000;
    // A retry of this test finds them stored already (duplicates), never rejected.
    await ingestAll([
      ...Array.from({ length: 30 }, (_, i) => request(`bt-hot-${i}`, past, 9_000)),
      ...Array.from({ length: 30 }, (_, i) => request(`bt-calm-${i}`, past + 2 * MIN, 20)),
    ]);
    await page.goto(`${baseUrl()}/admin/alerts`);
    await page.getByRole("button", { name: "New rule" }).click();
    const editor = page.getByRole("region", { name: "New rule" });
    await editor.getByLabel("Name").fill(RULE);
    await editor.getByLabel("Metric").selectOption("api_latency");
    await editor.getByLabel("Statistic", { exact: true }).selectOption("p50");
    await editor.getByLabel("Threshold", { exact: true }).fill("4000");
    await editor.getByLabel("Recovery threshold").fill("3000");
    // The back-test re-runs (debounced) after each change: the hot minute fired once.
    await withDiagnostics(() =>
      expect(editor.getByTestId("backtest-fired")).toHaveText("1", { timeout: 20_000 }),
    );
    await expect(editor.getByTestId("backtest-notifications")).toHaveText("2");
    await expect(editor.getByTestId("backtest-chart").locator(".recharts-reference-area-rect")).toHaveCount(
      1,
    );
    // A wrong-side recovery threshold is refused with the field's name, before saving.
    await editor.getByLabel("Recovery threshold").fill("5000");
    await expect(editor.getByTestId("backtest-error")).toContainText(
      "recoveryThreshold: must be at or below the threshold 4000",
    );
    await editor.getByLabel("Recovery threshold").fill("3000");
    await expect(editor.getByTestId("backtest-fired")).toHaveText("1", { timeout: 20_000 });
    await page.screenshot({ path: "e2e/screenshots/admin-alerts-backtest.png", fullPage: true });
    await editor.getByRole("button", { name: "Save rule" }).click();
    const row = page.getByTestId(`rule-${RULE}`);
    await expect(row).toContainText("p50 of api_latency over 1 min > 4000 (recovers past 3000)");
    await expect(row).toContainText("enabled");
    await page.screenshot({ path: "e2e/screenshots/admin-alerts.png", fullPage: true });
  });

  test("published events fire it on /live; a viewer acknowledges it; it recovers", async ({ browser }) => {
    const viewer = await browser.newContext({ storageState: storageStateFor("viewer") });
    const page = await viewer.newPage();
    await page.goto(`${baseUrl()}/live`);
    await expect(page.getByTestId("connection")).toHaveText("Live");
    const now = Date.now();
    await ingest(Array.from({ length: 50 }, (_, i) => request(`hot-${now}-${i}`, now, 9_000)));
    const bar = page.getByTestId("alert-bar");
    await expect(bar).toContainText("1 firing", { timeout: 20_000 });
    await expect(bar).toContainText(RULE);
    await expect(page.getByTestId("alert-toast").first()).toContainText("normal → firing");
    // The latency chart draws the rule's threshold and recovery lines and its firing band.
    const chart = page.getByTestId("chart-latency");
    await expect(chart.locator(".recharts-reference-line")).toHaveCount(2);
    await expect(chart).toContainText(RULE);
    await expect(chart.locator('.recharts-reference-area-rect[fill="var(--bad)"]')).toHaveCount(1);
    await page.screenshot({ path: "e2e/screenshots/live-alert-firing.png" });

    await page.getByRole("link", { name: "Open alerts" }).click();
    const instance = page.getByTestId(`instance-${RULE}`);
    await expect(instance.locator("[data-state]")).toHaveText("firing");
    await instance.getByPlaceholder("what you are doing about it").fill("rolling back the deploy");
    await instance.getByRole("button", { name: "Acknowledge" }).click();
    await expect(instance.getByTestId("acknowledged")).toContainText(
      "viewer@example.com: “rolling back the deploy”",
    );
    await page.screenshot({ path: "e2e/screenshots/alerts.png", fullPage: true });

    // Fast requests bring the open minute's median far under the recovery threshold.
    await ingest(Array.from({ length: 600 }, (_, i) => request(`calm-${now}-${i}`, Date.now(), 10)));
    await expect(instance.locator("[data-state]")).toHaveText("normal", { timeout: 20_000 });
    await expect(page.getByRole("table", { name: "Alert history" })).toContainText(/firing\s*→\s*normal/);
    await page.goto(`${baseUrl()}/live`);
    await expect(page.getByTestId("alert-bar")).toHaveCount(0);
    await viewer.close();
  });
});
