import { expect, test, type Page } from "@playwright/test";
import pg from "pg";

// /jobs against the real web, processor and scheduler roles (e2e/global-setup.ts). Events of an
// hour two days back arrive after a current one, so they are too late for the stream: the
// scheduler must reconcile that hour from raw events, record the drift and recompact it.
const baseUrl = () => process.env.E2E_BASE_URL ?? "";
const HOUR_MS = 3_600_000;
const HOUR = Math.floor((Date.now() - 2 * 24 * HOUR_MS) / HOUR_MS) * HOUR_MS;
const HOUR_ISO = new Date(HOUR).toISOString();

async function sql<T extends pg.QueryResultRow>(text: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: process.env.E2E_DATABASE_URL });
  await client.connect();
  try {
    return (await client.query<T>(text, params)).rows;
  } finally {
    await client.end();
  }
}

async function ingest(events: unknown[]) {
  const response = await fetch(`${baseUrl()}/api/ingest`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${process.env.E2E_INGEST_KEY}` },
    body: JSON.stringify(events),
  });
  expect(response.status).toBe(202);
}

const cells = (page: Page, selector: string) => page.locator(selector).locator("td").allInnerTexts();

test("the /jobs view shows the run history and the drift reconciliation found, equal to the stored rows", async ({
  page,
}) => {
  await ingest([{ id: "jobs-now", type: "page_view", ts: Date.now() - 10_000, attrs: { path: "/" } }]);
  await expect.poll(async () => (await sql(`SELECT 1 FROM raw_events WHERE id = 'jobs-now'`)).length).toBe(1);
  await ingest([
    ...Array.from({ length: 8 }, (_, i) => ({
      id: `jobs-api-${i}`,
      type: "api_request",
      ts: HOUR + i * 5 * 60_000,
      value: 100 + i * 10,
      attrs: { route: "/api/orders", method: "GET", status: 200, region: "eu-west" },
    })),
    ...Array.from({ length: 4 }, (_, i) => ({
      id: `jobs-pv-${i}`,
      type: "page_view",
      ts: HOUR + i * 7 * 60_000,
      attrs: { path: "/pricing", country: "DE", user_id: `u${i}` },
    })),
  ]);
  await expect
    .poll(async () => (await sql(`SELECT 1 FROM raw_events WHERE too_late AND id LIKE 'jobs-%'`)).length)
    .toBe(12);
  // The scheduler plans every second: reconciliation, then recompaction of the hour.
  await expect
    .poll(
      async () =>
        (
          await sql(
            `SELECT 1 FROM reconciled_hours WHERE hour = $1 AND too_late_seen = 12
             AND EXISTS (SELECT 1 FROM rollup_periods WHERE resolution = '1h' AND period_start = $1 AND status = 'compacted')`,
            [new Date(HOUR)],
          )
        ).length,
      { timeout: 45_000 },
    )
    .toBe(1);

  await page.goto(`${baseUrl()}/jobs`);
  await expect(page.getByRole("heading", { name: "Jobs" })).toBeVisible();
  await expect(page.getByTestId("drift-table")).toBeVisible();

  // Drift of the `events` metric: the stream had none of the 12, the batch all of them.
  const drift = await sql<{ buckets_drifted: number; streamed_count: string; batch_count: string }>(
    `SELECT sum(buckets_drifted)::int buckets_drifted, sum(streamed_count)::text streamed_count, sum(batch_count)::text batch_count
     FROM reconciliation_drift WHERE hour = $1 AND metric = 'events'`,
    [new Date(HOUR)],
  );
  expect(drift[0]).toMatchObject({ streamed_count: "0", batch_count: "12" });
  // Only this hour's row: an earlier spec's too-late event may have drifted the hour just closed.
  const eventsRow = page.locator(
    `[data-testid="drift-table"] tr[data-metric="events"][data-hour="${HOUR_ISO}"]`,
  );
  await expect(eventsRow).toHaveCount(1);
  expect((await eventsRow.locator("td").allInnerTexts()).slice(1, 5)).toEqual([
    "events",
    String(drift[0]?.buckets_drifted),
    "0",
    "12",
  ]);

  // The reconciled hour row equals its latest reconciliation run. The scheduler may reconcile
  // the hour again between the page load and the read (it plans every second), so the page is
  // read after the row, until both show the same run.
  await expect(async () => {
    const [run] = await sql<{
      events: number;
      too_late_events: number;
      rows_compared: number;
      rows_drifted: number;
    }>(
      `SELECT r.events, r.too_late_events, r.rows_compared, r.rows_drifted
       FROM reconciled_hours h JOIN reconciliation_runs r ON r.id = h.run_id WHERE h.hour = $1`,
      [new Date(HOUR)],
    );
    await page.reload();
    await page.locator(`[data-testid="reconciled-table"] tr[data-hour="${HOUR_ISO}"]`).waitFor();
    expect(
      (await cells(page, `[data-testid="reconciled-table"] tr[data-hour="${HOUR_ISO}"]`)).slice(1, 5),
    ).toEqual([
      String(run?.events),
      String(run?.too_late_events),
      String(run?.rows_compared),
      String(run?.rows_drifted),
    ]);
  }).toPass({ timeout: 20_000 });

  // Runs of one queue, as stored: count, statuses and attempts.
  await page.getByLabel("Queue").selectOption("reconcile-hour");
  const runs = await sql<{ id: string; status: string; attempt: number }>(
    `SELECT id::text, status, attempt FROM job_runs WHERE queue = 'reconcile-hour' ORDER BY started_at DESC, id DESC`,
  );
  const rows = page.locator('[data-testid="runs-table"] tbody tr');
  await expect(rows).toHaveCount(runs.length);
  for (const [i, stored] of runs.entries()) {
    const texts = await rows.nth(i).locator("td").allInnerTexts();
    expect([texts[0], texts[2], texts[3]]).toEqual(["reconcile-hour", stored.status, String(stored.attempt)]);
  }
  await expect(page.getByTestId("total-completed")).toHaveText(
    String(runs.filter((r) => r.status === "completed").length),
  );
  await page.getByLabel("Queue").selectOption("");
  await expect(page.locator('[data-testid="queues-table"] tr[data-queue="compact-hour"]')).toBeVisible();
  await page.screenshot({ path: "e2e/screenshots/jobs.png", fullPage: true });
});

test("bad query parameters are named, and the page shows the API's error", async ({ page }) => {
  // As the signed-in analyst of this spec (the page's session).
  const response = await page.request.get(`${baseUrl()}/api/jobs?limit=0`);
  expect(response.status()).toBe(400);
  const body = (await response.json()) as { error: { code: string; message: string } };
  expect(body.error.code).toBe("invalid_parameter");
  expect(body.error.message).toMatch(/^limit: /);
  // The page's own request, sent with a bad status filter: the real server's 400 is shown.
  await page.route("**/api/jobs?*", (route) =>
    route.continue({ url: `${route.request().url()}&status=exploded` }),
  );
  await page.goto(`${baseUrl()}/jobs`);
  await expect(page.getByTestId("jobs-error")).toContainText("Could not load the run history: status:");
  await page.screenshot({ path: "e2e/screenshots/jobs-error.png" });
});

test("malformed path and query values on the real server are a 400, never a 500", async ({ page }) => {
  const range = "from=2026-11-01T00:00:00Z&to=2026-11-02T00:00:00Z";
  for (const [path, param] of [
    [`/api/metrics/%00/series?${range}`, "name"],
    [`/api/metrics/api_latency/series?from=-99999999999999999&to=0`, "from"],
    [`/api/metrics/api_latency/series?${range}&from=2026-10-01T00:00:00Z`, "from"],
    [`/api/jobs?limit=%00`, "limit"],
  ] as const) {
    const response = await page.request.get(`${baseUrl()}${path}`);
    expect(response.status(), path).toBe(400);
    const body = (await response.json()) as { error: { code: string; details: { param: string } } };
    expect([body.error.code, body.error.details.param], path).toEqual(["invalid_parameter", param]);
  }
  // A path segment that is not valid percent-encoding: Next's router would answer 500 before any
  // handler; the custom server answers 400 first.
  for (const path of ["/api/metrics/%ZZ/series", "/api/metrics/%ED%A0%80/series", "/api/admin/users/%ZZ"]) {
    const response = await page.request.get(`${baseUrl()}${path}?${range}`);
    expect(response.status(), path).toBe(400);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("invalid_parameter");
  }
});

test("ingest over the real server: gzip bodies, and a CR/LF id is one rejected event, not a 503", async () => {
  const { gzipSync } = await import("node:zlib");
  const now = Date.now();
  const events = [
    { id: "gz-ok-1", type: "page_view", ts: now, attrs: { path: "/" } },
    { id: "gz-bad\r\n", type: "page_view", ts: now, attrs: { path: "/" } },
    { id: "gz-ok-2", type: "page_view", ts: now, attrs: { path: "/", q: "x\u0000" } },
  ];
  const response = await fetch(`${baseUrl()}/api/ingest`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "content-encoding": "gzip",
      authorization: `Bearer ${process.env.E2E_INGEST_KEY}`,
    },
    body: gzipSync(Buffer.from(JSON.stringify(events))),
  });
  expect(response.status).toBe(202);
  const answer = (await response.json()) as {
    accepted: number;
    rejected: { index: number; reasons: { code: string }[] }[];
  };
  expect(answer.accepted).toBe(1);
  expect(answer.rejected.map((r) => [r.index, r.reasons[0]?.code])).toEqual([
    [1, "invalid_id"],
    [2, "invalid_attrs"],
  ]);
  await expect.poll(async () => (await sql(`SELECT 1 FROM raw_events WHERE id = 'gz-ok-1'`)).length).toBe(1);
  await expect
    .poll(async () => (await sql(`SELECT 1 FROM dead_letters WHERE event_id LIKE 'gz-%'`)).length)
    .toBe(2);
});
