import { writeFile } from "node:fs/promises";
import { jetstream } from "@nats-io/jetstream";
import { expect, test } from "@playwright/test";
import { connectNats } from "../server/nats/streams";
import {
  apiRequest,
  B,
  baseUrl,
  chartCell,
  chartRow,
  ingest,
  ingestAll,
  pageView,
  rankedRows,
  rawSubscribe,
  signup,
  storedCount,
  tileValue,
  transaction,
  withDiagnostics,
} from "./live-fixtures";
import { RESTARTED_WEB_PID_FILE, startRole, waitForHealth } from "./stack";

test.describe.configure({ mode: "serial" });

const KNOWN = [
  ...Array.from({ length: 30 }, (_, i) => pageView(i)),
  ...Array.from({ length: 12 }, (_, i) => apiRequest(i)),
  ...Array.from({ length: 5 }, (_, i) => transaction(i)),
  // One event in the next bucket moves the watermark to B + 10 s: bucket B is final.
  signup("s-1", B + 15_000),
];

test("tiles, charts and lists show exactly the published events", async ({ page }) => {
  await page.goto(`${baseUrl()}/live`);
  await expect(page.getByTestId("connection")).toHaveText("Live");
  await expect(page.getByTestId("freshness")).toHaveAttribute("data-level", "unknown");

  const answer = await ingest([
    ...KNOWN,
    pageView(0), // duplicate id: counted once
    { id: "bad-1", type: "page_view", ts: "not a time", attrs: { path: "/" } },
    { id: "bad-2", type: "no_such_type", ts: B },
  ]);
  expect(answer).toMatchObject({ accepted: 48, duplicates: 1 });

  // Bucket B: 30 page views, 12 API requests (3 of them 5xx), 5 transactions of 25 EUR.
  await expect(tileValue(page, "events-per-second")).toHaveText("4.7");
  await expect(page.getByTestId("tile-events-per-second")).toHaveAttribute("data-state", "final");
  await expect(tileValue(page, "error-rate")).toHaveText("25.00");
  await expect(tileValue(page, "active-users")).toHaveText("10");
  await expect(tileValue(page, "transactions-per-minute")).toHaveText("30");
  await expect(tileValue(page, "amount-per-minute")).toHaveText("750.00");
  // p95 of eleven 50 ms and one 400 ms request is 50 ms (DDSketch: within 1 %).
  const p95 = Number(await tileValue(page, "latency-p95").textContent());
  expect(p95).toBeGreaterThanOrEqual(49.5);
  expect(p95).toBeLessThanOrEqual(50.5);

  const throughput = (t: number, line: string) => chartCell(page, "chart-throughput", t, line);
  await expect(throughput(B, "page_view")).toHaveText("3");
  await expect(throughput(B, "api_request")).toHaveText("1.2");
  await expect(throughput(B, "transaction")).toHaveText("0.5");
  await expect(throughput(B, "signup")).toHaveText("0");
  await expect(chartRow(page, "chart-throughput", B)).toHaveAttribute("data-state", "final");
  await expect(throughput(B + 10_000, "signup")).toHaveText("0.1");
  await expect(chartRow(page, "chart-throughput", B + 10_000)).toHaveAttribute("data-state", "open");
  await expect(page.locator('[data-testid="chart-throughput-data"] tbody tr')).toHaveCount(2);
  await expect(chartCell(page, "chart-error-rate", B, "rate")).toHaveText("0.25");

  await expect.poll(() => rankedRows(page, "api_requests")).toEqual(["/api/cart8", "/api/pay4"]);
  await expect.poll(() => rankedRows(page, "page_views_by_country")).toEqual(["DE20", "FR10"]);

  await expect(page.getByTestId("pipeline-stored-total")).toHaveText("48");
  await expect(page.getByTestId("dead-letters-invalid_ts")).toHaveText("1");
  await expect(page.getByTestId("dead-letters-unknown_type")).toHaveText("1");
  await expect(page.getByTestId("pipeline-consumer-lag")).toHaveText("0");
  await expect(page.getByTestId("pipeline-nats")).toHaveText("connected");
  await expect(page.getByTestId("pipeline-processor")).toHaveText(/^(idle|progressing)$/);
  // The newest event is ~25 s old: the page says the figures lag.
  await expect(page.getByTestId("freshness")).toHaveAttribute("data-level", /lagging|stale/);
  expect(await storedCount()).toBe(48);
});

test("a late event revises its bucket, a too-late one is counted apart, pause holds the view", async ({
  page,
}) => {
  await page.goto(`${baseUrl()}/live`);
  await expect(tileValue(page, "events-per-second")).toHaveText("4.7");
  await page.getByTestId("pause").click();
  await expect(page.getByTestId("paused")).toBeVisible();

  await ingest([pageView(100, B + 5_000), { ...pageView(101, B - 15 * 60_000), id: "too-late-1" }]);
  await expect.poll(storedCount).toBe(50);
  // The new figure has reached the page underneath, and the paused tile still holds the old one.
  await expect(page.getByTestId("tile-events-per-second")).toHaveAttribute("data-live-value", "4.8");
  await expect(tileValue(page, "events-per-second")).toHaveText("4.7");

  await page.getByTestId("pause").click();
  await expect(tileValue(page, "events-per-second")).toHaveText("4.8");
  await expect(page.getByTestId("tile-events-per-second")).toHaveAttribute("data-state", "revised");
  await expect(chartRow(page, "chart-throughput", B)).toHaveAttribute("data-state", "revised");
  await expect(chartCell(page, "chart-throughput", B, "page_view")).toHaveText("3.1");
  await expect(page.getByTestId("pipeline-too-late")).toHaveText("1");

  // The 1 min view: the same events, per second over the minute.
  await page.getByRole("button", { name: "1 min · 3 h" }).click();
  const minute = Math.floor(B / 60_000) * 60_000;
  await expect(chartCell(page, "chart-throughput", minute, "page_view")).toHaveText(
    String(Math.round((31 / 60) * 1000) / 1000),
  );
});

test("a malformed subscription is refused with an error ack and disturbs no one", async ({ page }) => {
  await page.goto(`${baseUrl()}/live`);
  await expect(tileValue(page, "events-per-second")).toHaveText("4.8");
  expect(await rawSubscribe(page, { metric: "<script>alert(1)</script>", resolution: "10s" })).toEqual({
    ok: false,
    error: { code: "invalid_request", message: expect.stringContaining("metric"), field: "metric" },
  });
  expect(
    await rawSubscribe(page, { metric: "api_requests", resolution: "10s", groupBy: "country" }),
  ).toMatchObject({
    ok: false,
    error: { code: "invalid_request", field: "groupBy" },
  });
  expect(await rawSubscribe(page, { metric: "no_such_metric", resolution: "1m" })).toMatchObject({
    ok: false,
    error: { code: "unknown_metric", field: "metric" },
  });
  await expect(page.getByTestId("connection")).toHaveText("Live");
  await expect(page.locator("script", { hasText: "alert(1)" })).toHaveCount(0);
});

test("after the web process is killed and restarted the page recovers by itself, without a gap", async ({
  page,
}) => {
  test.setTimeout(120_000);
  await page.goto(`${baseUrl()}/live`);
  await expect(tileValue(page, "events-per-second")).toHaveText("4.8");
  process.kill(-Number(process.env.E2E_WEB_PID), "SIGKILL");
  await expect(page.getByTestId("connection")).toHaveText("Reconnecting…");

  // While the web is down the processor keeps storing: 7 requests into bucket B + 10 s.
  const nc = await connectNats(process.env.NATS_URL ?? "nats://127.0.0.1:4222", "e2e-producer");
  const js = jetstream(nc);
  for (let i = 0; i < 7; i++) {
    const event = { ...apiRequest(200 + i, B + 12_000 + i, 80), id: `down-${i}` };
    await js.publish(`${process.env.E2E_NAMESPACE}.events.api_request`, JSON.stringify(event), {
      msgID: event.id,
    });
  }
  await nc.close();
  await expect.poll(storedCount, { timeout: 15_000 }).toBe(57);

  const env = JSON.parse(process.env.E2E_WEB_ENV ?? "{}") as Record<string, string>;
  const web = await startRole("web", env);
  await writeFile(RESTARTED_WEB_PID_FILE, String(web.pid));
  await waitForHealth(baseUrl(), web);
  await expect(page.getByTestId("connection")).toHaveText("Live", { timeout: 20_000 });

  // Nothing before the restart is lost or doubled, and what happened during it is there.
  await expect(chartCell(page, "chart-throughput", B, "page_view")).toHaveText("3.1");
  await expect(chartCell(page, "chart-throughput", B, "api_request")).toHaveText("1.2");
  await expect(chartCell(page, "chart-throughput", B + 10_000, "api_request")).toHaveText("0.7");
  await expect(chartCell(page, "chart-throughput", B + 10_000, "signup")).toHaveText("0.1");
  // apiRequest(i ≥ 8) goes to /api/pay: 4 before the restart + 7 during it.
  await expect.poll(() => rankedRows(page, "api_requests")).toEqual(["/api/pay11", "/api/cart8"]);

  // And it keeps moving.
  await ingest([signup("s-2", B + 16_000)]);
  await expect(chartCell(page, "chart-throughput", B + 10_000, "signup")).toHaveText("0.2");
  expect(await storedCount()).toBe(58);
});

test("screenshots of /live in both themes, on a laptop and a 4K wall screen", async ({ page }) => {
  for (const theme of ["dark", "light"] as const) {
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.goto(`${baseUrl()}/live?theme=${theme}`);
    await expect(page.locator("html")).toHaveAttribute("data-theme", theme);
    await expect(tileValue(page, "events-per-second")).not.toHaveText("—");
    await page.waitForTimeout(800);
    await page.screenshot({ path: `e2e/screenshots/live-${theme}.png`, fullPage: true });
  }
  await page.setViewportSize({ width: 1366, height: 768 });
  await page.goto(`${baseUrl()}/live?theme=light`);
  await expect(tileValue(page, "events-per-second")).not.toHaveText("—");
  await page.screenshot({ path: "e2e/screenshots/live-1366x768-light.png" });

  await page.setViewportSize({ width: 3840, height: 2160 });
  await page.goto(`${baseUrl()}/live?kiosk=1&theme=dark`);
  await expect(page.locator("html")).toHaveAttribute("data-kiosk", "1");
  await expect(page.locator(".nav")).toBeHidden();
  await expect(tileValue(page, "events-per-second")).not.toHaveText("—");
  await page.waitForTimeout(800);
  await page.screenshot({ path: "e2e/screenshots/live-kiosk-3840x2160-dark.png" });
});

test("a burst of routes shows the top routes and one (other) row that adds up", async ({ page }) => {
  await page.goto(`${baseUrl()}/live`);
  const now = Date.now() - 2_000;
  // 25 new routes in one bucket: /burst/0 five times, the others once (29 events). The server
  // keeps 20 groups per bucket + (other); the page lists 8 and puts the rest in (other).
  const burst = Array.from({ length: 25 }, (_, i) => i).flatMap((i) =>
    Array.from({ length: i === 0 ? 5 : 1 }, (_, k) => ({
      ...apiRequest(1_000 + i * 10 + k, now, 20),
      id: `burst-${i}-${k}`,
      attrs: { route: `/burst/${i}`, method: "GET", status: 200 },
    })),
  );
  await ingestAll(burst);
  // /api/pay and /api/cart (earlier tests) outrank every burst route but /burst/0; of the
  // 1-count routes the first five by name are listed; (other) holds the remaining 29 − 5 − 5.
  await withDiagnostics(() =>
    expect
      .poll(async () => {
        const rows = await rankedRows(page, "api_requests");
        return [rows.length, rows[2], rows.at(-1)];
      })
      .toEqual([9, "/burst/05", "(other)19"]),
  );
  const other = page.getByTestId("top-api_requests").locator('[data-other="true"]');
  await expect(other).toHaveCount(1);
  await expect(other.locator(".toplist-bar")).toHaveCount(0);
});
