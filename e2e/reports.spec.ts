import { readFile } from "node:fs/promises";
import { expect, test, type Page } from "@playwright/test";
import Papa from "papaparse";
import pg from "pg";
import { formatLocal, formatNumber } from "../components/reports/report-table";
import { SeriesResponse } from "../server/contract/history";
import { commitEvents, generateHistoryEvents, writeCoarseTiers } from "../server/testing/history-fixture";
import { seededRandom } from "../server/testing/seeded-random";
import { nowcastTypes } from "../server/db/int8";

const baseUrl = () => process.env.E2E_BASE_URL ?? "";
const TZ = "America/New_York";
const DATA = { from: Date.parse("2026-11-20T00:00:00Z"), to: Date.parse("2026-11-23T12:00:00Z") };

test.beforeAll(async () => {
  // Three and a half days of history written through the processor's commit, with 1h/1d tiers
  // compacted by the production compactor, as the stream and the compaction jobs leave them.
  const pool = new pg.Pool({ connectionString: process.env.E2E_DATABASE_URL, types: nowcastTypes, max: 2 });
  try {
    await commitEvents(pool, generateHistoryEvents(seededRandom(2026), DATA.from, DATA.to, 40));
    await writeCoarseTiers(pool);
  } finally {
    await pool.end();
  }
});

async function tableCells(page: Page): Promise<string[][]> {
  const table = page.getByTestId("report-table");
  await expect(table).toBeVisible();
  const header = await table.locator("thead th").allInnerTexts();
  const rows = await table
    .locator("tbody tr")
    .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent ?? "")));
  return [header, ...rows];
}

test("a grouped report equals the API, exports the same CSV and survives a reload", async ({ page }) => {
  await page.goto(`${baseUrl()}/reports?metric=api_latency`);
  await expect(page.getByTestId("metric")).toHaveValue("api_latency");
  await page.getByTestId("tz").selectOption(TZ);
  await page.getByRole("button", { name: "custom" }).click();
  await page.getByTestId("custom-from").fill("2026-11-21T00:00");
  await page.getByTestId("custom-to").fill("2026-11-22T00:00");
  await page.getByTestId("apply-range").click();
  await page.getByTestId("step").selectOption("1h");
  // Controls write the URL and render from it, so a checkbox flips once the URL has changed.
  await page.getByTestId("group").click();
  await expect(page.getByTestId("group")).toBeChecked();
  await page.getByTestId("limit").selectOption("3");
  await expect(page.getByTestId("report-table").locator("tbody tr")).toHaveCount(24 * 4);
  await expect(page.getByTestId("chart-zone")).toHaveText(`time zone ${TZ}`);

  // The table shows exactly what the API answers for the view in the URL.
  const url = new URL(page.url());
  expect(Object.fromEntries(url.searchParams)).toMatchObject({
    tz: TZ,
    step: "1h",
    group: "1",
    limit: "3",
    preset: "custom",
  });
  expect(url.searchParams.get("from")).toBe("2026-11-21T05:00:00.000Z");
  const api = new URLSearchParams({
    from: url.searchParams.get("from") ?? "",
    to: url.searchParams.get("to") ?? "",
    step: "1h",
    tz: TZ,
    groupBy: "route",
    limit: "3",
  });
  const response = await page.request.get(`${baseUrl()}/api/metrics/api_latency/series?${api}`);
  expect(response.status()).toBe(200);
  const series = SeriesResponse.parse(await response.json());
  expect(series.points.some((p) => p.count > 0)).toBe(true);
  const [header, ...rows] = await tableCells(page);
  expect(header).toEqual([`time (${TZ})`, "route", "p95", "count", "state"]);
  expect(rows).toEqual(
    series.points.map((p) => [
      formatLocal(p.t, TZ),
      p.group ?? "",
      formatNumber(p.p95),
      formatNumber(p.count),
      p.state,
    ]),
  );
  await page.screenshot({ path: "e2e/screenshots/reports.png", fullPage: true });

  // The export is the table, under a header block naming range, zone, step, filters, group-by, watermark.
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export").click()]);
  const csv = await readFile((await download.path()) ?? "", "utf8");
  const lines = csv.split("\r\n");
  expect(lines).toEqual(
    expect.arrayContaining([
      "# metric: api_latency",
      `# range: ${series.from} to ${series.to}`,
      `# time zone: ${TZ}`,
      "# step: 1h",
      "# filters: none",
      "# group by: route",
      `# complete up to: ${series.watermark}`,
      "# statistic: p95",
    ]),
  );
  const parsed = Papa.parse<string[]>(csv, { comments: "#", skipEmptyLines: true });
  expect(parsed.data).toEqual([header, ...rows]);

  // Reloading the URL reproduces the view.
  await page.reload();
  await expect(page.getByTestId("report-table").locator("tbody tr")).toHaveCount(24 * 4);
  expect(await tableCells(page)).toEqual([header, ...rows]);
  await expect(page.getByTestId("step")).toHaveValue("1h");
  await expect(page.getByTestId("tz")).toHaveValue(TZ);
  await expect(page.getByTestId("group")).toBeChecked();

  // Compare with the previous day: deltas appear beside each bucket.
  await page.getByTestId("compare").click();
  await expect(page.getByTestId("compare")).toBeChecked();
  await expect(page.getByTestId("report-table").locator("thead th")).toHaveText([
    `time (${TZ})`,
    "route",
    "p95",
    "count",
    "state",
    "previous p95",
    "change",
    "change %",
  ]);
  await page.screenshot({ path: "e2e/screenshots/reports-compare.png", fullPage: true });
});

test("shows the empty state and API errors", async ({ page }) => {
  await page.goto(
    `${baseUrl()}/reports?metric=api_latency&from=2026-06-01T00:00:00Z&to=2026-06-02T00:00:00Z&preset=custom&tz=UTC`,
  );
  await expect(page.getByTestId("report-empty")).toContainText("No events for api_latency");
  await page.goto(
    `${baseUrl()}/reports?metric=api_latency&from=2026-01-01T00:00:00Z&to=2026-11-01T00:00:00Z&preset=custom&step=1m&tz=UTC`,
  );
  await expect(page.getByTestId("report-error")).toContainText("step:");
  await page.screenshot({ path: "e2e/screenshots/reports-error.png" });
});
